import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { cc } from '../api/http.client';
import { attemptStateOf, mergedQueue, type CallbackTask, type CallbackTaskDetail, type Page } from './callbacks.mapper';

/** What the queue shows: every lost call not yet returned (the default), or the tasks of one status, or all. */
export type QueueFilter = 'UNRETURNED' | 'OPEN' | 'DIALLING' | 'UNREACHED' | 'DONE' | 'ALL';

const pageSize = 50;
/** New lost calls have no push of their own: the queue is read again this often while on screen. */
const queueRefreshMs = 5_000;

export function useCallbackTasks(status: Exclude<QueueFilter, 'UNRETURNED'>, branch: string, enabled: boolean) {
  return useInfiniteQuery({
    queryKey: ['callbacks', 'tasks', status, branch],
    enabled,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => cc.get<Page<CallbackTask>>('/v1/callbacks', { limit: pageSize, cursor: pageParam, status: status === 'ALL' ? undefined : status, branch: branch || undefined }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: queueRefreshMs,
  });
}

/**
 * Every task not yet returned (open, dialling, unreached) as one queue, oldest lost call first: the
 * three lists of the API merged, with their numbers as the caller may read them.
 */
export function useUnreturnedTasks(branch: string, enabled: boolean) {
  const open = useCallbackTasks('OPEN', branch, enabled);
  const dialling = useCallbackTasks('DIALLING', branch, enabled);
  const unreached = useCallbackTasks('UNREACHED', branch, enabled);
  const lists = [open, dialling, unreached];
  const items = mergedQueue(lists.map((l) => ({ items: (l.data?.pages ?? []).flatMap((p) => p.items), more: l.hasNextPage })));
  return {
    items,
    error: lists.find((l) => l.error)?.error ?? null,
    isLoading: lists.some((l) => l.isLoading),
    hasNextPage: lists.some((l) => l.hasNextPage),
    isFetchingNextPage: lists.some((l) => l.isFetchingNextPage),
    fetchNextPage: () => Promise.all(lists.filter((l) => l.hasNextPage).map((l) => l.fetchNextPage())),
  };
}

/** The task an operator is calling back, read again every second until his attempt has an outcome. */
export function useCallbackTask(taskId: string, attemptId: string | null) {
  return useQuery({
    queryKey: ['callbacks', 'task', taskId],
    queryFn: () => cc.get<CallbackTaskDetail>(`/v1/callbacks/${encodeURIComponent(taskId)}`),
    refetchInterval: (query) => {
      const task = query.state.data;
      if (!task || attemptId === null) return 1_000;
      return attemptStateOf(task, attemptId).kind === 'dialling' ? 1_000 : false;
    },
  });
}

/** Claim, then dial: the PBX calls the operator's phone and the caller; the outcome lands on the task. */
export function useCallBack() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (taskId: string) => {
      const path = `/v1/callbacks/${encodeURIComponent(taskId)}`;
      const claimed = await cc.post<CallbackTaskDetail>(`${path}/claim`);
      const { attemptId } = await cc.post<{ attemptId: string }>(`${path}/attempts`);
      return { taskId, attemptId, claimed };
    },
    onSuccess: ({ taskId, claimed }) => {
      client.setQueryData(['callbacks', 'task', taskId], claimed);
      void client.invalidateQueries({ queryKey: ['callbacks'] });
    },
  });
}
