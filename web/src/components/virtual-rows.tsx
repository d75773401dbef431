import { useEffect, useRef, useState } from "preact/hooks";
import type { ComponentChildren } from "preact";
import { visibleRange } from "./visible-range.js";

/**
 * Renders only the rows in view (plus a few), so a thousand clusters cost a screenful of DOM.
 * Rows have one fixed height; the scroller keeps the full height with padding.
 */
export function VirtualRows<T>({ items, rowHeight, height, row }: { items: T[]; rowHeight: number; height: number; row: (item: T, index: number) => ComponentChildren }) {
  const scroller = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  useEffect(() => {
    const el = scroller.current!;
    const onScroll = () => setTop(el.scrollTop);
    el.addEventListener("scroll", onScroll, { passive: true });
    return () => el.removeEventListener("scroll", onScroll);
  }, []);
  const { first, last } = visibleRange(top, height, rowHeight, items.length);
  return (
    <div ref={scroller} class="virtual" style={{ maxHeight: `${height}px` }} role="rowgroup">
      <div style={{ paddingTop: `${first * rowHeight}px`, paddingBottom: `${(items.length - last) * rowHeight}px` }}>
        {items.slice(first, last).map((item, i) => row(item, first + i))}
      </div>
    </div>
  );
}
