-- +goose Up
-- A/B tests of sends (package messaging, issue 19 point 9): a send with a
-- test has two to four variants (variants: [{name, templateId, subject}],
-- a template of the send's channel and/or a subject instead of the
-- template's). Its eligible recipients are made into messages held; once
-- all are, test_share percent of them (ordered by md5 of the send's and
-- the contact's ids: a deterministic random split) get the variants in
-- turn and go out (split_at). The others wait (messages.status held) until
-- a winner is chosen by metric (open or click rate): when a two-proportion
-- z-test (2 variants) or a chi-square test and then the best against the
-- runner-up (3 or 4) is significant at min_confidence, else at decide_at
-- the best rate. decided_by is significance or deadline; results the
-- variants' counts and the tests when it was decided. The held messages
-- are then released (queued) and go out with the winner's content.
CREATE TABLE send_ab_tests (
    tenant_id      uuid             NOT NULL,
    send_id        uuid             NOT NULL,
    variants       jsonb            NOT NULL,
    test_share     integer          NOT NULL CHECK (test_share BETWEEN 1 AND 100),
    metric         text             NOT NULL CHECK (metric IN ('open', 'click')),
    decide_at      timestamptz      NOT NULL,
    min_confidence double precision NOT NULL CHECK (min_confidence > 0.5 AND min_confidence < 1),
    split_at       timestamptz,
    winner         text             NOT NULL DEFAULT '',
    decided_by     text             NOT NULL DEFAULT '' CHECK (decided_by IN ('', 'significance', 'deadline')),
    decided_at     timestamptz,
    results        jsonb,
    created_at     timestamptz      NOT NULL,
    PRIMARY KEY (tenant_id, send_id)
);

CREATE INDEX send_ab_tests_undecided ON send_ab_tests (tenant_id, decide_at) WHERE decided_at IS NULL AND split_at IS NOT NULL;

ALTER TABLE send_ab_tests ENABLE ROW LEVEL SECURITY;
ALTER TABLE send_ab_tests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON send_ab_tests
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- marketing_ab_tenants_due lists up to max tenants with A/B tests to
-- judge: split, undecided, their send still sending. Only their ids, for
-- the judging job to work each one's in a transaction of that tenant.
-- +goose StatementBegin
CREATE FUNCTION marketing_ab_tenants_due(max int) RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT a.tenant_id FROM public.send_ab_tests a
    JOIN public.sends s ON s.tenant_id = a.tenant_id AND s.id = a.send_id
    WHERE a.decided_at IS NULL AND a.split_at IS NOT NULL AND s.status = 'sending'
    GROUP BY a.tenant_id ORDER BY min(a.decide_at) LIMIT max
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION marketing_ab_tenants_due(int);
DROP TABLE send_ab_tests;
