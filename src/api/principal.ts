/** Who is asking, and what they may see and control. */

export interface Principal {
  user: string;
  /** The workspaces the user belongs to; the first is where things start by default. */
  workspaces: string[];
  /** Sees and controls everything (an operator, or the open loopback mode). */
  admin: boolean;
}

/** Things started before workspaces existed, or without one, belong here. */
export const DEFAULT_WORKSPACE = 'default';

/** Members of a workspace see what lives in it. */
export function canSee(p: Principal, workspace: string | undefined): boolean {
  return p.admin || p.workspaces.includes(workspace ?? DEFAULT_WORKSPACE);
}

/** Only the owner (or an admin) pauses, resumes, messages or cancels. */
export function canControl(p: Principal, owner: string | undefined): boolean {
  return p.admin || (owner !== undefined && owner === p.user);
}

/** The workspaces a list is limited to: undefined means all (admins). */
export function visibleWorkspaces(p: Principal): string[] | undefined {
  return p.admin ? undefined : p.workspaces;
}

/**
 * The workspaces any of `principals` sees, or undefined when one sees everything (an admin) or
 * the default workspace (which things with no workspace recorded belong to).
 */
export function seenByAny(principals: Iterable<Principal>): string[] | undefined {
  const workspaces = new Set<string>();
  for (const p of principals) {
    if (p.admin || p.workspaces.includes(DEFAULT_WORKSPACE)) return undefined;
    for (const w of p.workspaces) workspaces.add(w);
  }
  return [...workspaces];
}
