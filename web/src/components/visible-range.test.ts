import { describe, expect, it } from "vitest";
import { visibleRange } from "./visible-range.js";

// The fleet matrix: 36 px rows in a 520 px scroller.
const range = (scrollTop: number, count: number) => visibleRange(scrollTop, 520, 36, count);

describe("visibleRange", () => {
  it("renders the rows in view and 8 more below at the top of a long list", () => {
    expect(range(0, 1000)).toEqual({ first: 0, last: 23 });
  });

  it("renders 8 rows either side of the view in the middle, a row cut by an edge included", () => {
    expect(range(3600, 1000)).toEqual({ first: 92, last: 123 });
    expect(range(3630, 1000)).toEqual({ first: 92, last: 124 });
  });

  it("stops at the ends of the list", () => {
    expect(range(36 * 990, 1000)).toEqual({ first: 982, last: 1000 });
    expect(range(0, 5)).toEqual({ first: 0, last: 5 });
    expect(range(0, 0)).toEqual({ first: 0, last: 0 });
  });
});
