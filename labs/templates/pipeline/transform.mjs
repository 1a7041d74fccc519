// The transformation: one day of orders in, one row per shop out.
// `ramp pipeline run --date D` calls it with that day's input rows (CSV cells as text) and
// writes what it returns as the day's partition. It takes the date as a parameter and never
// reads the clock, so running it again for the same date gives the same rows.
export default function transform({ orders }, { date }) {
  const shops = new Map();
  for (const order of orders) {
    if (order.status === 'cancelled') continue;
    const shop = shops.get(order.shop_id) ?? { shop_id: order.shop_id, order_date: date, orders: 0, revenue: 0 };
    shop.orders += 1;
    shop.revenue += Number(order.amount);
    shops.set(order.shop_id, shop);
  }
  return [...shops.values()]
    .sort((a, b) => a.shop_id.localeCompare(b.shop_id))
    .map((s) => ({ ...s, revenue: s.revenue.toFixed(2) }));
}
