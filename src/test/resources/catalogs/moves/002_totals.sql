CREATE MATERIALIZED VIEW item_totals AS SELECT count(*) AS items, coalesce(sum(updated), 0) AS updates FROM items;
