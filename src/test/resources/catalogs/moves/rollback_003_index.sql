DROP INDEX items_n_idx;
