import { useQuery } from '@tanstack/react-query';
import { cc } from '../api/http.client';
import type { AppealSummary } from '../appeals/appeals.mapper';
import { useLiveEvents } from '../live/live-events.context';
import { branchesOf, isLiveStatistics, type AppealDimension, type AppealStatisticsAnswer, type CallStatistics, type DailyCallStatistics, type LiveStatistics, type RegionHealth } from './dashboard.mapper';

/** The wallboard once, before the first `live` push arrives (the push then replaces it). */
export function useLiveSnapshot(enabled: boolean) {
  return useQuery({ queryKey: ['statistics', 'live'], enabled, queryFn: () => cc.get<LiveStatistics>('/v1/statistics/live') });
}

export function usePeriodStatistics(period: 'day' | 'week', enabled: boolean) {
  return useQuery({
    queryKey: ['statistics', 'calls', period],
    enabled,
    queryFn: () => cc.get<CallStatistics>('/v1/statistics/calls', { period }),
    refetchInterval: 15_000,
  });
}

export function useDailyStatistics(from: string, to: string, enabled: boolean) {
  return useQuery({
    queryKey: ['statistics', 'daily', from, to],
    enabled,
    queryFn: () => cc.get<DailyCallStatistics>('/v1/statistics/calls/daily', { from, to }),
    refetchInterval: 60_000,
  });
}

export function useAppealStatistics(by: AppealDimension, from: string, to: string, branch: string | null, enabled: boolean) {
  return useQuery({
    queryKey: ['statistics', 'appeals', by, from, to, branch],
    enabled,
    queryFn: () => cc.get<AppealStatisticsAnswer>('/v1/statistics/appeals', { by, from, to, branch }),
    refetchInterval: 60_000,
  });
}

/** Open appeals escalated before their deadline or past it, the most urgent first. */
export function useDeadlinesAtRisk(branch: string | null, enabled: boolean) {
  return useQuery({
    queryKey: ['appeals', 'escalated', branch],
    enabled,
    queryFn: () => cc.get<{ items: AppealSummary[]; nextCursor: string | null }>('/v1/appeals/escalated', { limit: 30, branch }),
    refetchInterval: 30_000,
  });
}

export function useRegionHealth(enabled: boolean) {
  return useQuery({ queryKey: ['region', 'health'], enabled, queryFn: () => cc.get<RegionHealth>('/v1/region/health'), refetchInterval: 30_000 });
}

/** The branches the caller reaches, as the pushed live figures name them (the API scopes them to his reach). */
export function useReachedBranches(): string[] {
  const pushed = useLiveEvents().live;
  return branchesOf(isLiveStatistics(pushed) ? pushed : null, undefined);
}
