/**
 * How a stateful operator learns the watermark its input is at.
 *
 * The driver moves an operator's watermark (`advance(wm)`) when something is due: a window end,
 * a timer, at a batch end. Between those calls the sources keep raising their event time, so the
 * `wm` an operator was last advanced to can lag the watermark its next input row is judged by.
 * The driver's deadline listener therefore also carries `watermark()`: the watermark the
 * operator's input is at right now (the minimum over the sources upstream of it, as it stands
 * before the current record). While the driver is advancing operators it returns -Infinity: rows
 * arriving then were fired by an operator upstream, which forwards its watermark only after its
 * output, so they are judged by the operator's own `wm` (as a Flink operator sees results before
 * the watermark that produced them).
 */
export interface DeadlineListener {
  /** Something is due when the watermark reaches `t`. */
  (t: number): void;
  /** The input watermark right now (-Infinity while the driver advances operators). */
  watermark?: () => number;
}

/** The watermark that decides whether a row arriving now is late: the later of `own` and the input's. */
export function inputWatermark(listener: DeadlineListener | undefined, own: number): number {
  const w = listener?.watermark;
  if (w === undefined) return own;
  const now = w();
  return now > own ? now : own;
}
