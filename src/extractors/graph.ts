import nodePath from 'node:path';
import { baseName, dirName, type ExtractInput } from './types.js';

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

/**
 * The project's name in dependency paths, for formats that do not record it: the folder holding the lockfile
 * (on disk, also for a lockfile at the root of the scan), else `fallback`.
 */
export function projectName(input: ExtractInput, fallback: string): string {
  const dir = dirName(input.path);
  if (dir) return baseName(dir);
  const disk = input.vfs.diskPath?.(input.path);
  return disk ? nodePath.basename(nodePath.dirname(disk)) : fallback;
}

/**
 * For formats whose lockfile has no node for the project itself (NuGet, Bundler, Composer): a synthetic root
 * named after the project, depending on `directIds`, and the shortest path from it to every node.
 */
export function pathsFromProject(project: string, directIds: readonly string[], nodes: Iterable<GraphNode>): Map<string, string[]> {
  const root: GraphNode = { id: '\0project', name: project, deps: directIds };
  const graph = new Map<string, GraphNode>([[root.id, root]]);
  for (const n of nodes) graph.set(n.id, n);
  return shortestPaths(graph, [root.id]);
}
