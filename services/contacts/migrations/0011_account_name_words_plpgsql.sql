-- +goose Up
-- account_name_words (0003) is a SQL function PostgreSQL cannot inline (its
-- body has a subquery), so the account keys trigger parsed and planned it
-- again for every account written, as 0009 found for the contact keys. The
-- same words, computed procedurally: a session keeps its plan.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION account_name_words(name text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    w text;
    out text[] := '{}';
BEGIN
    FOREACH w IN ARRAY regexp_split_to_array(lower(name), '[^[:alnum:]]+') LOOP
        IF length(w) >= 2 AND NOT w = ANY (out) AND w NOT IN ('ag', 'and', 'bv', 'co', 'company', 'corp',
            'corporation', 'gmbh', 'group', 'holding', 'holdings', 'inc', 'kg', 'limited', 'llc', 'llp', 'ltd', 'of',
            'plc', 'pty', 'sa', 'sarl', 'spa', 'srl', 'the') THEN
            out := out || w;
        END IF;
    END LOOP;
    RETURN out;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION account_name_words(name text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY(SELECT DISTINCT w FROM regexp_split_to_table(lower(name), '[^[:alnum:]]+') w
    WHERE length(w) >= 2 AND w NOT IN ('ag', 'and', 'bv', 'co', 'company', 'corp', 'corporation', 'gmbh', 'group',
        'holding', 'holdings', 'inc', 'kg', 'limited', 'llc', 'llp', 'ltd', 'of', 'plc', 'pty', 'sa', 'sarl', 'spa',
        'srl', 'the'))
$$;
-- +goose StatementEnd
