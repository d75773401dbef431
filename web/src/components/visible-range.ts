// Rows rendered beyond each edge of the view, so a fast scroll does not show blank space first.
const OVERSCAN = 8;

/** The rows [first, last) to render for a scroll position: those in view, plus a few either side, within the list. */
export function visibleRange(scrollTop: number, height: number, rowHeight: number, count: number): { first: number; last: number } {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);
  return { first, last };
}
