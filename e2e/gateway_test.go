package e2e

import "testing"

// TestGateway runs every end-to-end check on one stack with tenants A and B.
func TestGateway(t *testing.T) {
	w := newWorld(t)
	t.Run("controls", func(t *testing.T) {
		for _, s := range []*side{w.a, w.b} {
			t.Run(s.name, func(t *testing.T) { testControls(t, w.st, s) })
		}
	})
	t.Run("isolation", func(t *testing.T) {
		t.Run("B on A", func(t *testing.T) { testIsolation(t, w.st, w.b, w.a) })
		t.Run("A on B", func(t *testing.T) { testIsolation(t, w.st, w.a, w.b) })
	})
	t.Run("notification isolation", func(t *testing.T) {
		t.Run("B on A", func(t *testing.T) { testNotificationIsolation(t, w.st, w.b, w.a) })
		t.Run("A on B", func(t *testing.T) { testNotificationIsolation(t, w.st, w.a, w.b) })
	})
	t.Run("people isolation", func(t *testing.T) {
		t.Run("B on A", func(t *testing.T) { testPeopleIsolation(t, w.st, w.b, w.a) })
		t.Run("A on B", func(t *testing.T) { testPeopleIsolation(t, w.st, w.a, w.b) })
	})
	t.Run("intact", func(t *testing.T) {
		for _, s := range []*side{w.a, w.b} {
			t.Run(s.name, func(t *testing.T) { testIntact(t, w.st, s) })
		}
	})
	t.Run("own saved views", func(t *testing.T) { testOwnViews(t, w) })
	t.Run("unauthorised", func(t *testing.T) { testUnauthorised(t, w) })
	t.Run("events", func(t *testing.T) { testEvents(t, w) })
	t.Run("audit", func(t *testing.T) { testAudit(t, w) })
	t.Run("audit of reads", func(t *testing.T) { testAuditReads(t, w.st) })
	t.Run("statistics", func(t *testing.T) { testStatistics(t, w) })
	t.Run("deleted tags", func(t *testing.T) { testDeletedTags(t, w) })
	t.Run("public port", func(t *testing.T) { testPublicPort(t, w) })
	t.Run("answers", func(t *testing.T) { testAnswers(t, w) })
	t.Run("quote approvals", func(t *testing.T) { testQuoteApprovals(t, w) })
	t.Run("portal", func(t *testing.T) { testPortal(t, w) })
	t.Run("marketing public pages", func(t *testing.T) {
		t.Run("B on A", func(t *testing.T) { testMarketingPublic(t, w.st, w.b, w.a) })
		t.Run("A on B", func(t *testing.T) { testMarketingPublic(t, w.st, w.a, w.b) })
	})
	// Last: it withdraws tenant A's contact's email consent.
	t.Run("marketing mail", func(t *testing.T) { testMarketingMail(t, w) })
}
