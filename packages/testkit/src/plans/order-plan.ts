// The tracking plan the collector, `sluice plan` and quarantine-replay tests check events
// against: one event, Order Completed, whose `properties.price` has a type. Written once so
// that the tests agree on what a good order is.

export interface OrderPlanOptions {
  onViolation?: 'quarantine' | 'flag';
  /** The JSON Schema type `price` must have (a misspelt one makes the plan invalid). */
  priceType?: string;
  /** Whether an order without a price breaks the plan. */
  priceRequired?: boolean;
}

/** The plan as YAML, the way a user writes a plan file. */
export function orderPlanYaml({
  onViolation = 'quarantine',
  priceType = 'number',
  priceRequired = true,
}: OrderPlanOptions = {}): string {
  return `onViolation: ${onViolation}
events:
  track:
    Order Completed:
      properties:
        type: object
        properties:
          price: { type: ${priceType} }
${priceRequired ? '        required: [price]\n' : ''}`;
}
