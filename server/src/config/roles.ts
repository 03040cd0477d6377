import { enumKind } from './option-types.js';
import type { ValueKind } from './option-types.js';

/**
 * What each `--role` serves today, declared once: the option's `--help` text, the README's table and the
 * refusal of a role that would serve nothing are generated from it. When a front end lands (LiveQuery's
 * WebSocket server, GraphQL), say so in the `serves` of the roles that serve it and drop the `notYet` of a
 * role that now serves something; nothing else needs to change. Every role answers `/health`.
 */
export const ROLES = ['api', 'live', 'worker', 'all'] as const;
export type ServerRole = (typeof ROLES)[number];

interface RoleDescription {
  /** What a process of this role serves, in `--help` words; undefined: nothing, so the role is refused. */
  readonly serves?: string;
  /** Why a role serves nothing yet, said when it is refused. */
  readonly notYet?: string;
}

export const ROLE_DESCRIPTIONS: Readonly<Record<ServerRole, RoleDescription>> = {
  api: { serves: 'the REST API, GraphQL, files and the dashboard' },
  live: { serves: 'LiveQuery (WebSocket, on the REST port and `--live-query-port`)' },
  worker: { serves: 'cloud jobs, queued and scheduled' },
  all: { serves: 'everything the other roles serve (the default)' },
};

/** The roles a process can run today. */
export function servingRoles(): ServerRole[] {
  return ROLES.filter((role) => ROLE_DESCRIPTIONS[role].serves !== undefined);
}

/** `--role`'s description: what each role serves, and which roles are refused and why. */
export function describeRoles(): string {
  const serving = servingRoles().map((role) => `\`${role}\`: ${ROLE_DESCRIPTIONS[role].serves ?? ''}`);
  const refused = ROLES.filter((role) => ROLE_DESCRIPTIONS[role].serves === undefined).map(
    (role) => ` \`${role}\` is refused for now: ${ROLE_DESCRIPTIONS[role].notYet ?? 'it serves nothing'}.`,
  );
  return `What this process serves. ${serving.join('; ')}.${refused.join('')} Every role answers \`/health\`.`;
}

/** `--role`'s values: a role that serves something today; one that would serve nothing is refused, saying why. */
export function roleKind(): ValueKind<ServerRole> {
  const serving = enumKind(servingRoles());
  return {
    ...serving,
    parse(raw) {
      const refused = ROLES.find((role) => role === raw && ROLE_DESCRIPTIONS[role].serves === undefined);
      if (refused === undefined) return serving.parse(raw);
      const why = ROLE_DESCRIPTIONS[refused].notYet ?? 'it serves nothing';
      return { ok: false, problem: `${refused} would serve nothing (${why}); use ${servingRoles().join(', ')}` };
    },
  };
}
