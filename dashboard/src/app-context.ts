import { createContext, useContext } from 'react';
import type { AdminClient } from '@strata/sdk/admin';
import type { Route } from './router.js';
import type { AppInfo, SessionInfo } from './session.js';

/** What every page needs: the open app, its admin client, the signed-in user and the route. */
export interface AppContextValue {
  readonly app: AppInfo;
  readonly apps: readonly AppInfo[];
  readonly client: AdminClient;
  readonly session: SessionInfo;
  readonly route: Route;
}

export const AppContext = createContext<AppContextValue | undefined>(undefined);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (value === undefined) throw new Error('useApp outside the signed-in shell');
  return value;
}
