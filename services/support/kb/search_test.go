package kb

import (
	"log/slog"
	"slices"
	"testing"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/numbering"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
	"github.com/rapport-crm/rapport/services/support/migrations"
)

// TestNeedsDoc checks a candidate's doc only where its postings do not
// decide the match.
func TestNeedsDoc(t *testing.T) {
	for query, want := range map[string]bool{
		"'reset' & 'password'":             false,
		"'bill' | 'forgot'":                false,
		"'重置' | '码':* | 'reset'":           false,
		"'重置' <-> '置密' <-> '密码'":           true,
		"'reset' & !'bill'":                true,
		"'reset' & 'password' | 'forgot'":  true,
		"( 'reset' | 'bill' ) & 'account'": true,
	} {
		if got := needsDoc(query, 2); got != want {
			t.Errorf("needsDoc(%q) = %v", query, got)
		}
	}
	if !needsDoc("'a' & 'b'", maxPostingTerms+1) || needsDoc("'a' | 'b'", maxPostingTerms+1) {
		t.Error("past maxPostingTerms an all-terms query needs the docs, an or alone does not")
	}
}

// TestSearchRanking ranks by the terms' weights and rarity, checks a
// phrase on the candidates in the order of their scores (the best one
// that has the phrase's bigrams apart is passed over, the limit is filled
// from the ones after it), and finds every article with a term of an or.
func TestSearchRanking(t *testing.T) {
	p := testkit.Postgres(t)
	admin := testkit.Open(t, p.AdminURL)
	if err := pg.Migrate(t.Context(), admin.DB, slog.New(slog.DiscardHandler), p.AppRole,
		outbox.Migrations(), numbering.Migrations(), migrations.Source()); err != nil {
		t.Fatal(err)
	}
	db := outbox.NewDB(testkit.Open(t, p.AppURL), supportdb.Events, "")
	store, tenant := NewStore(db), ids.New()
	byTitle := map[string]string{}
	publish := func(locale, title, body string) {
		now := pg.Now()
		a := &Article{ID: ids.New(), Locale: locale, Visibility: VisibilityPublic, State: StatePublished, Title: title, Body: body,
			BodyFormat: FormatMarkdown, Tags: []string{}, PublishedVersion: 1, DraftVersion: 1, CreatedBy: "test",
			CreatedAt: now, UpdatedAt: now, PublishedAt: &now, Version: 1}
		a.TranslationGroupID = a.ID
		if err := db.InTx(t.Context(), tenant, func(tx *outbox.Tx) error {
			if err := saveArticle(t.Context(), tx, a, true); err != nil {
				return err
			}
			return index(t.Context(), tx, a, kindPublished)
		}); err != nil {
			t.Fatal(err)
		}
		byTitle[a.ID] = title
	}
	publish("zh-CN", "重置 置密 密码", "账户")
	publish("zh-CN", "账户说明", "在登录页重置密码。")
	publish("zh-CN", "安全", "定期重置密码可以保护账户。")
	publish("en", "Common words", "account settings account")
	publish("en", "Billing", "rare quarterly account")
	publish("en", "Other", "account")
	search := func(text string, all bool, limit int) []string {
		t.Helper()
		hits, err := store.Search(t.Context(), tenant, SearchQuery{Text: text, All: all, State: StatePublished, Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for i, h := range hits {
			if i > 0 && h.Score > hits[i-1].Score {
				t.Errorf("%q: %q scores above the hit before it", text, h.Title)
			}
			out = append(out, byTitle[h.ID])
		}
		return out
	}
	// The title "重置 置密 密码" has the three bigrams at weight A, the best
	// score, but not as the phrase: the hits are the bodies' phrases.
	if got := search("重置密码", true, 1); len(got) != 1 || got[0] == "重置 置密 密码" {
		t.Errorf("重置密码, limit 1: %q", got)
	}
	if got := search("重置密码", true, 10); slices.Contains(got, "重置 置密 密码") || len(got) != 2 {
		t.Errorf("重置密码: %q", got)
	}
	// "quarterly" is in one article, "account" in three: the rarer term
	// weighs more, so "Billing" comes before the article with "account"
	// twice.
	if got := search("quarterly or account", true, 10); len(got) != 3 || got[0] != "Billing" {
		t.Errorf("quarterly or account: %q", got)
	}
	if got := search("quarterly account", true, 10); !slices.Equal(got, []string{"Billing"}) {
		t.Errorf("quarterly account: %q", got)
	}
	// A suggestion: any of its words, Chinese or English.
	if got := search("settings 账户", false, 10); len(got) != 4 {
		t.Errorf("suggestion: %q", got)
	}
}
