CREATE INDEX items_n_idx ON items (n);
