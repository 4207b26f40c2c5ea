import { PlusOutlined } from "@ant-design/icons";
import { Button, Dropdown, Typography } from "antd";
import { useI18n } from "../../i18n/I18n";
import { edges, layout, stepTypes, type Edge, type JourneyStep, type StepType } from "./journeys";

/** The canvas's measures in pixels: a step's box, the gaps between boxes. */
const boxW = 200;
const boxH = 76;
const gapX = 48;
const gapY = 72;
const pad = 16;

/** JourneyCanvasProps are the steps, the selected one, the problems by step and what edits go to. */
export interface JourneyCanvasProps {
  steps: JourneyStep[];
  selected?: string;
  problems: Record<string, string[]>;
  /** describe is a step's one-line summary (its template, its duration …). */
  describe: (s: JourneyStep) => string;
  onSelect: (id: string) => void;
  /** onAdd is absent when the journey cannot be changed. */
  onAdd?: (from: string, kind: Edge["kind"], type: StepType) => void;
}

/**
 * JourneyCanvas draws the journey's steps as boxes in layers from the top
 * (layout in journeys.ts), with arrows for next, yes and no (an arrow to
 * nothing ends at a dot: the enrolment completes there). A box is a button
 * that selects its step; a + on each arrow adds a step there. A step with
 * a problem is outlined in red with the problem under its summary.
 */
export function JourneyCanvas({ steps, selected, problems, describe, onSelect, onAdd }: JourneyCanvasProps) {
  const { t } = useI18n();
  const l = layout(steps);
  const byId = new Map(steps.map((s) => [s.id, s]));
  const perLayer = new Map<number, number>();
  for (const n of l.nodes) perLayer.set(n.layer, (perLayer.get(n.layer) ?? 0) + 1);
  const at = new Map(
    l.nodes.map((n) => {
      const shift = ((l.width - perLayer.get(n.layer)!) * (boxW + gapX)) / 2;
      return [n.id, { x: pad + shift + n.column * (boxW + gapX), y: pad + n.layer * (boxH + gapY) }];
    }),
  );
  const width = pad * 2 + l.width * (boxW + gapX) - gapX;
  const height = pad * 2 + Math.max(1, l.layers) * (boxH + gapY);
  const arrows = steps.flatMap(edges).map((e) => {
    const a = at.get(e.from)!;
    const sx = a.x + boxW / 2 + (e.kind === "yes" ? -boxW / 4 : e.kind === "no" ? boxW / 4 : 0);
    const sy = a.y + boxH;
    const b = e.to ? at.get(e.to) : undefined;
    const ex = b ? b.x + boxW / 2 : sx;
    const ey = b ? b.y : sy + gapY / 2 + 8;
    return { e, sx, sy, ex, ey, end: !b };
  });
  const label = (s: JourneyStep, i: number) => `${i + 1}. ${t(`marketing.journey.step.${s.type}`)}`;
  return (
    <div role="region" aria-label={t("marketing.journey.canvas")} tabIndex={0} style={{ overflow: "auto", maxHeight: 640 }} data-testid="journey-canvas">
      <div style={{ position: "relative", width, height, minWidth: "100%" }}>
        <svg width={width} height={height} style={{ position: "absolute", inset: 0 }} aria-hidden="true">
          <defs>
            <marker id="journey-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" fill="#595959" />
            </marker>
          </defs>
          {arrows.map(({ e, sx, sy, ex, ey, end }) => {
            const my = sy + (ey - sy) / 2;
            return (
              <g key={`${e.from}-${e.kind}`}>
                <path d={`M ${sx} ${sy} C ${sx} ${my}, ${ex} ${my}, ${ex} ${ey}`} fill="none" stroke="#595959" strokeWidth={1.5} markerEnd={end ? undefined : "url(#journey-arrow)"} />
                {end && <circle cx={ex} cy={ey} r={5} fill="#595959" />}
                {e.kind !== "next" && (
                  <text x={sx + (e.kind === "yes" ? -8 : 8)} y={sy + 14} textAnchor={e.kind === "yes" ? "end" : "start"} fontSize={12} fill="#262626">
                    {t(`marketing.journey.${e.kind}`)}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
        {steps.map((s, i) => {
          const p = at.get(s.id)!;
          const bad = problems[s.id];
          return (
            <button
              key={s.id}
              type="button"
              onClick={() => onSelect(s.id)}
              aria-pressed={selected === s.id}
              data-testid={`journey-step-${s.id}`}
              data-type={s.type}
              data-invalid={bad ? "true" : undefined}
              style={{
                position: "absolute",
                left: p.x,
                top: p.y,
                width: boxW,
                height: boxH,
                textAlign: "left",
                padding: "6px 10px",
                overflow: "hidden",
                cursor: "pointer",
                background: selected === s.id ? "#e6f4ff" : "#fff",
                border: `${bad || selected === s.id ? 2 : 1}px solid ${bad ? "#a8071a" : selected === s.id ? "#0958d9" : "#8c8c8c"}`,
                borderRadius: 8,
                font: "inherit",
                color: "#262626",
              }}
            >
              <Typography.Text strong style={{ display: "block" }}>
                {label(s, i)}
              </Typography.Text>
              <Typography.Text style={{ display: "block", fontSize: 12 }} ellipsis>
                {describe(s)}
              </Typography.Text>
              {bad && (
                <span style={{ display: "block", fontSize: 12, color: "#a8071a" }} data-testid={`journey-step-problem-${s.id}`}>
                  {bad.join("; ")}
                </span>
              )}
            </button>
          );
        })}
        {onAdd &&
          arrows.map(({ e, sx, sy }) => (
            <Dropdown
              key={`add-${e.from}-${e.kind}`}
              trigger={["click"]}
              menu={{
                items: stepTypes.map((type) => ({ key: type, label: <span data-testid={`journey-add-type-${type}`}>{t(`marketing.journey.step.${type}`)}</span> })),
                onClick: ({ key }) => onAdd(e.from, e.kind, key as StepType),
              }}
            >
              <Button
                size="small"
                shape="circle"
                icon={<PlusOutlined />}
                aria-label={t(`marketing.journey.add.${e.kind}`, { step: label(byId.get(e.from)!, steps.indexOf(byId.get(e.from)!)) })}
                data-testid={`journey-add-${e.from}-${e.kind}`}
                style={{ position: "absolute", left: sx - 12, top: sy + (e.kind === "next" ? 22 : 24), zIndex: 1 }}
              />
            </Dropdown>
          ))}
      </div>
    </div>
  );
}
