/**
 * Dependency paths ("my-app → reqwest → rustls → ring") from a lockfile's graph: breadth-first from the
 * project roots, so each node gets one shortest chain. Ties are broken by visiting edges in sorted order, so
 * the same lockfile always yields the same path.
 */
export interface GraphNode {
  id: string;
  /** shown in the path */
  name: string;
  /** ids of direct dependencies */
  deps: readonly string[];
}

export function shortestPaths(nodes: ReadonlyMap<string, GraphNode>, rootIds: readonly string[]): Map<string, string[]> {
  const pathTo = new Map<string, string[]>();
  const queue: string[] = [];
  for (const id of [...rootIds].sort()) {
    const node = nodes.get(id);
    if (!node || pathTo.has(id)) continue;
    pathTo.set(id, [node.name]);
    queue.push(id);
  }
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    const base = pathTo.get(id)!;
    for (const depId of [...nodes.get(id)!.deps].sort()) {
      const dep = nodes.get(depId);
      if (!dep || pathTo.has(depId)) continue;
      pathTo.set(depId, [...base, dep.name]);
      queue.push(depId);
    }
  }
  return pathTo;
}
