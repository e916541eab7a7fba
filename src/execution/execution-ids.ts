/**
 * The next order, fill and trade ids of one run. The accounts of a run share one, so an id names one
 * order (fill, trade) across all of them, and ids follow the fixed order in which accounts act.
 */
export class ExecutionIds {
  nextOrder = 1;
  nextFill = 1;
  nextTrade = 1;
}
