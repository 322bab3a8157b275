import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { cc } from '../api/http.client';
import type { AppealRegistration, AppealSummary, AppealType, AppealView, ArticleSummary, Article, AppealListFilter } from './appeals.mapper';

interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

const pageSize = 50;

export function useAppeals(filter: AppealListFilter) {
  return useInfiniteQuery({
    queryKey: ['appeals', 'list', filter],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      filter.view === 'FOLLOW_UPS_DUE'
        ? cc.get<Page<AppealSummary>>('/v1/appeals/follow-ups-due', { limit: pageSize, cursor: pageParam, branch: filter.branch || undefined })
        : cc.get<Page<AppealSummary>>('/v1/appeals', {
            limit: pageSize,
            cursor: pageParam,
            status: filter.status || undefined,
            type: filter.type || undefined,
            branch: filter.branch || undefined,
            escalated: filter.view === 'AT_RISK' ? 'true' : undefined,
          }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: 15_000,
  });
}

export function useAppeal(id: string | null) {
  return useQuery({
    queryKey: ['appeals', 'one', id],
    enabled: id !== null,
    queryFn: () => cc.get<AppealView>(`/v1/appeals/${encodeURIComponent(id ?? '')}`),
  });
}

export function useAppealTypes() {
  return useQuery({ queryKey: ['appeal-types'], queryFn: () => cc.get<{ items: AppealType[] }>('/v1/appeal-types'), staleTime: 300_000 });
}

/** The articles linked from the appeal type being written: shown before the operator searches. */
export function useTypeArticles(code: string) {
  return useQuery({
    queryKey: ['knowledge', 'type', code],
    enabled: code !== '',
    queryFn: () => cc.get<{ items: ArticleSummary[] }>(`/v1/appeal-types/${encodeURIComponent(code)}/articles`),
    staleTime: 60_000,
  });
}

export function useKnowledgeSearch(q: string) {
  return useQuery({
    queryKey: ['knowledge', 'search', q],
    enabled: q !== '',
    queryFn: () => cc.get<Page<ArticleSummary>>('/v1/knowledge/articles', { q, limit: 20 }),
    staleTime: 60_000,
  });
}

export function useArticle(slug: string | null) {
  return useQuery({
    queryKey: ['knowledge', 'article', slug],
    enabled: slug !== null,
    queryFn: () => cc.get<Article>(`/v1/knowledge/articles/${encodeURIComponent(slug ?? '')}`),
    staleTime: 60_000,
  });
}

/** The appeal as the API answered after a change; the lists read again even after a refusal (an earlier step may have landed). */
function useRefreshAfter() {
  const client = useQueryClient();
  return {
    onSuccess: (appeal: AppealView) => client.setQueryData(['appeals', 'one', appeal.id], appeal),
    onSettled: () => client.invalidateQueries({ queryKey: ['appeals'] }),
  };
}

export function useRegisterAppeal() {
  const refresh = useRefreshAfter();
  return useMutation({ mutationFn: ({ body, idempotencyKey }: { body: AppealRegistration; idempotencyKey: string }) => cc.post<AppealView>('/v1/appeals', body, idempotencyKey), ...refresh });
}

export interface TransitionRequest {
  readonly id: string;
  /** Several steps in order (taking a registered appeal before passing it on). */
  readonly steps: readonly { to: string; note?: string; assignTo?: string }[];
}

export function useTransition() {
  const refresh = useRefreshAfter();
  return useMutation({
    mutationFn: async ({ id, steps }: TransitionRequest) => {
      let appeal: AppealView | undefined;
      for (const step of steps) appeal = await cc.post<AppealView>(`/v1/appeals/${encodeURIComponent(id)}/transitions`, step);
      if (!appeal) throw new Error('no transition asked');
      return appeal;
    },
    ...refresh,
  });
}

export function useFollowUp() {
  const refresh = useRefreshAfter();
  return useMutation({
    mutationFn: ({ id, outcome, note }: { id: string; outcome: string; note?: string }) =>
      cc.post<AppealView>(`/v1/appeals/${encodeURIComponent(id)}/follow-up`, note ? { outcome, note } : { outcome }),
    ...refresh,
  });
}
