import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/** Drift episodes per slice of the window, as bars (uPlot); the same numbers are in the table beside it. */
export function EpisodesChart({ starts, episodes, label }: { starts: number[]; episodes: number[]; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const bars = uPlot.paths.bars!({ size: [0.8, 40] });
    const plot = new uPlot(
      {
        width: 560,
        height: 180,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [{ stroke: "#4d5762" }, { stroke: "#4d5762", incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }],
        series: [{}, { label: "Episodes", stroke: "#0b5cad", fill: "rgba(11, 92, 173, 0.35)", paths: bars, points: { show: false } }],
      },
      [starts, episodes],
      box.current!,
    );
    return () => plot.destroy();
  }, [starts.join(), episodes.join()]);
  return <div ref={box} role="img" aria-label={label} />;
}
