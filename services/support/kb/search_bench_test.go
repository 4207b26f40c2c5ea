package kb

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/numbering"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
	"github.com/rapport-crm/rapport/services/support/migrations"
)

// The corpus of BenchmarkSearch: issue 18's 10,000 articles, half
// Chinese, in one tenant, words drawn by a Zipf law from a vocabulary of
// each language (Chinese words of two common characters).
const (
	benchArticles   = 10_000
	benchVocabulary = 3_000
	benchBodyWords  = 200
	benchCharacters = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持音跑"
)

// BenchmarkSearch measures Store.Search over 10,000 published articles,
// half Chinese, with a mix of queries (Chinese words common and rare, one
// character, English words stemmed, mixed, and suggestions from a case's
// text), reporting the p50 and p99 latency of searches and of
// suggestions. Speed is for make bench to
// judge; this only reports.
func BenchmarkSearch(b *testing.B) {
	p := testkit.Postgres(b)
	admin := testkit.Open(b, p.AdminURL)
	quiet := slog.New(slog.DiscardHandler)
	if err := pg.Migrate(b.Context(), admin.DB, quiet, p.AppRole, outbox.Migrations(), numbering.Migrations(), migrations.Source()); err != nil {
		b.Fatal(err)
	}
	db := outbox.NewDB(testkit.Open(b, p.AppURL), supportdb.Events, "")
	store, tenant := NewStore(db), ids.New()
	rng := rand.New(rand.NewPCG(18, 6))
	zh, en := chineseWords(rng), englishWords(rng)
	zipf := rand.NewZipf(rand.New(rand.NewPCG(1, 2)), 1.1, 2, benchVocabulary-1)
	text := func(words []string, n int, sep string) string {
		out := make([]string, n)
		for i := range out {
			out[i] = words[zipf.Uint64()]
		}
		return strings.Join(out, sep)
	}
	start := time.Now()
	for batch := 0; batch < benchArticles; batch += 500 {
		err := db.InTx(b.Context(), tenant, func(tx *outbox.Tx) error {
			for i := batch; i < batch+500; i++ {
				words, sep, locale := zh, "", "zh-CN"
				if i%2 == 1 {
					words, sep, locale = en, " ", "en"
				}
				now := pg.Now()
				a := &Article{ID: ids.New(), Locale: locale, Visibility: []string{VisibilityPublic, VisibilityInternal}[i%3/2], State: StatePublished,
					Title: text(words, 5, sep), Body: text(words, benchBodyWords, sep), BodyFormat: FormatMarkdown, Tags: []string{},
					PublishedVersion: 1, DraftVersion: 1, CreatedBy: "bench", CreatedAt: now, UpdatedAt: now, PublishedAt: &now, Version: 1}
				a.TranslationGroupID = a.ID
				if err := saveArticle(b.Context(), tx, a, true); err != nil {
					return err
				}
				if err := index(b.Context(), tx, a, kindPublished); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if _, err := admin.ExecContext(b.Context(), "VACUUM ANALYZE"); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d articles indexed in %s", benchArticles, time.Since(start).Round(time.Millisecond))

	queries := []SearchQuery{
		{Text: zh[0], All: true}, {Text: zh[3] + zh[8], All: true}, {Text: zh[40], All: true}, {Text: zh[700], All: true},
		{Text: string([]rune(zh[2])[:1]), All: true}, {Text: en[1], All: true}, {Text: en[5] + " " + en[30], All: true},
		{Text: en[400] + "s", All: true}, {Text: en[2] + " " + zh[2], All: true},
		{Text: text(zh, 30, "") + " " + text(en, 10, " ")}, {Text: text(en, 40, " ")},
	}
	took := map[bool][]time.Duration{} // by q.All: searches, suggestions
	var found int
	i := 0
	for b.Loop() {
		q := queries[i%len(queries)]
		q.State, q.Limit, i = StatePublished, 10, i+1
		t := time.Now()
		hits, err := store.Search(b.Context(), tenant, q)
		took[q.All] = append(took[q.All], time.Since(t))
		if err != nil {
			b.Fatal(err)
		}
		found += len(hits)
	}
	for all, name := range map[bool]string{true: "search", false: "suggest"} {
		d := took[all]
		slices.Sort(d)
		ms := func(q float64) float64 { return float64(d[int(q*float64(len(d)-1))].Microseconds()) / 1000 }
		b.ReportMetric(ms(0.5), name+"-p50-ms")
		b.ReportMetric(ms(0.99), name+"-p99-ms")
	}
	b.ReportMetric(float64(found)/float64(i), "hits/op")
}

// chineseWords are benchVocabulary distinct words of two common
// characters.
func chineseWords(rng *rand.Rand) []string {
	chars := []rune(benchCharacters)
	seen := map[string]bool{}
	var out []string
	for len(out) < benchVocabulary {
		w := string([]rune{chars[rng.IntN(len(chars))], chars[rng.IntN(len(chars))]})
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// englishWords are benchVocabulary distinct made-up words of 4 to 9
// letters.
func englishWords(rng *rand.Rand) []string {
	seen := map[string]bool{}
	var out []string
	for len(out) < benchVocabulary {
		w := make([]byte, 4+rng.IntN(6))
		for i := range w {
			w[i] = "etaoinshrdlucmfwypvbgk"[rng.IntN(22)]
		}
		if !seen[string(w)] {
			seen[string(w)] = true
			out = append(out, fmt.Sprint(string(w)))
		}
	}
	return out
}
