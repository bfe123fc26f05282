/**
 * An attacker with unlimited patience, written apart from the code it checks: given the
 * true counts of the finest cells (rating unit × month × domain) and which sets of cells
 * the published figures add up, it finds any group of ratings whose count can be derived
 * exactly by adding and subtracting published figures, and that holds fewer than `min`.
 *
 * What can be derived is the row space W of the published sets. A group whose count is
 * below `min` can only be made of cells below `min`, so it lies in W ∩ (those cells), a
 * subspace found by row-reducing with the other cells first. In reduced row-echelon form a
 * 0/1 vector of that subspace is fixed by its 0/1 values on the pivots: all 2^k of them
 * are searched, depth first. The attacker knows every published figure, so a figure of
 * zero tells that each of its cells is empty (counts are never negative); other empty
 * cells are unknowns like any other — side knowledge of where nobody rated (that a desk
 * was closed in October, say) is not assumed.
 */

export interface AuditCell {
  key: string;
  count: number;
}

export interface Leak {
  cells: string[];
  count: number;
}

const EPSILON = 1e-9;

export function auditDisclosure(
  cells: AuditCell[],
  published: string[][],
  min: number,
  options: { maxNodes?: number } = {},
): { leak: Leak | undefined; dimension: number } {
  const countOf = new Map(cells.map((cell) => [cell.key, cell.count]));
  const knownEmpty = new Set(published.filter((set) => set.every((key) => (countOf.get(key) ?? 0) === 0)).flat());
  const present = cells.filter((cell) => !knownEmpty.has(cell.key));
  // Large cells first: they are eliminated, so the rows left pivot on small cells only.
  const ordered = [...present.filter((cell) => cell.count >= min), ...present.filter((cell) => cell.count < min)];
  const column = new Map(ordered.map((cell, index) => [cell.key, index]));
  const firstSmall = ordered.findIndex((cell) => cell.count < min);
  if (firstSmall === -1) return { leak: undefined, dimension: 0 };
  const rows = published
    .map((set) => {
      const row = new Array<number>(ordered.length).fill(0);
      for (const key of set) {
        const index = column.get(key);
        if (index !== undefined) row[index] = 1;
      }
      return row;
    })
    .filter((row) => row.some((value) => value !== 0));

  // Reduced row-echelon form.
  const pivots: { row: number[]; column: number }[] = [];
  let remaining = rows;
  for (let col = 0; col < ordered.length && remaining.length > 0; col++) {
    const index = remaining.findIndex((row) => Math.abs(row[col]!) > EPSILON);
    if (index === -1) continue;
    const pivot = remaining[index]!.map((value) => value / remaining[index]![col]!);
    remaining = remaining
      .filter((_, other) => other !== index)
      .map((row) => (Math.abs(row[col]!) > EPSILON ? row.map((value, k) => value - row[col]! * pivot[k]!) : row));
    for (const earlier of pivots) {
      const factor = earlier.row[col]!;
      if (Math.abs(factor) > EPSILON) earlier.row = earlier.row.map((value, k) => value - factor * pivot[k]!);
    }
    pivots.push({ row: pivot, column: col });
  }

  // Depth-first over the pivots' 0/1 values. Once no later row touches a cell, its value
  // is final: it must be 0 or 1, and the cells final at 1 already hold the group's least
  // count, so a branch stops as soon as that reaches `min`.
  const small = pivots.filter((pivot) => pivot.column >= firstSmall).map((pivot) => pivot.row.slice(firstSmall));
  const counts = ordered.slice(firstSmall).map((cell) => cell.count);
  const width = counts.length;
  const finalAt = new Array<number>(width).fill(-1);
  small.forEach((row, index) => row.forEach((value, k) => Math.abs(value) > EPSILON && (finalAt[k] = index)));
  const finalAfter = small.map((_, index) => finalAt.flatMap((last, k) => (last === index ? [k] : [])));
  const vector = new Array<number>(width).fill(0);
  const maxNodes = options.maxNodes ?? 5_000_000;
  let nodes = 0;
  let leak: Leak | undefined;
  const search = (depth: number, known: number): void => {
    if (leak) return;
    if (++nodes > maxNodes) throw new Error('the search for a small derivable group did not finish');
    if (depth === small.length) {
      if (known > 0 && known < min) {
        const members = ordered.slice(firstSmall).filter((_, k) => Math.abs(vector[k]! - 1) < EPSILON);
        leak = { cells: members.map((cell) => cell.key), count: known };
      }
      return;
    }
    for (const bit of [0, 1]) {
      if (bit) small[depth]!.forEach((value, k) => (vector[k]! += value));
      let total = known;
      let valid = true;
      for (const k of finalAfter[depth]!) {
        const value = vector[k]!;
        if (Math.abs(value - 1) < EPSILON) total += counts[k]!;
        else if (Math.abs(value) > EPSILON) valid = false;
      }
      if (valid && total < min) search(depth + 1, total);
      if (bit) small[depth]!.forEach((value, k) => (vector[k]! -= value));
    }
  };
  search(0, 0);
  return { leak, dimension: small.length };
}
