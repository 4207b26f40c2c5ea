package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"golang.org/x/sync/errgroup"

	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// The knowledge base of the support part, as services/support's
// BenchmarkSearch builds it: half the articles Chinese, words drawn by a
// Zipf law from a vocabulary per language, 5-word titles and 200-word
// bodies; a third internal.
const (
	kbVocabulary  = 3_000
	kbBodyWords   = 200
	kbLoaders     = 8
	kbRequests    = 1_000
	kbWarmup      = 100
	goalKBP99     = 50 * time.Millisecond
	kbCharacters  = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持音跑"
	kbEnglishAlph = "etaoinshrdlucmfwypvbgk"
)

// kbCorpus draws the articles' text and the searches' words.
type kbCorpus struct {
	zh, en []string
	zipf   *rand.Zipf
}

func newKBCorpus() *kbCorpus {
	rng := rand.New(rand.NewPCG(18, 6))
	c := &kbCorpus{zipf: rand.NewZipf(rand.New(rand.NewPCG(1, 2)), 1.1, 2, kbVocabulary-1)}
	chars := []rune(kbCharacters)
	for seen := map[string]bool{}; len(c.zh) < kbVocabulary; {
		w := string([]rune{chars[rng.IntN(len(chars))], chars[rng.IntN(len(chars))]})
		if !seen[w] {
			seen[w], c.zh = true, append(c.zh, w)
		}
	}
	for seen := map[string]bool{}; len(c.en) < kbVocabulary; {
		w := make([]byte, 4+rng.IntN(6))
		for i := range w {
			w[i] = kbEnglishAlph[rng.IntN(len(kbEnglishAlph))]
		}
		if !seen[string(w)] {
			seen[string(w)], c.en = true, append(c.en, string(w))
		}
	}
	return c
}

// text is n words of words, joined by sep.
func (c *kbCorpus) text(words []string, n int, sep string) string {
	out := make([]string, n)
	for i := range out {
		out[i] = words[c.zipf.Uint64()]
	}
	return strings.Join(out, sep)
}

// kbQuery is a search of the mix: the service's query, and for its raw
// baseline its words other than Chinese (made lexemes by the 'english'
// configuration, as the index was) and its Chinese bigrams.
type kbQuery struct {
	Name, Q string
	En      string
	CJK     []string
	InRaw   bool // false: one character, a prefix search the baseline leaves out
}

// queries are the mix the part times, BenchmarkSearch's: Chinese words
// common and rare, one character, English words stemmed, mixed.
func (c *kbCorpus) queries() []kbQuery {
	bigrams := func(w string) []string {
		r := []rune(w)
		out := []string{}
		for i := 0; i+1 < len(r); i++ {
			out = append(out, string(r[i:i+2]))
		}
		return out
	}
	zh := func(name, w string) kbQuery { return kbQuery{Name: name, Q: w, CJK: bigrams(w), InRaw: true} }
	en := func(name, w string) kbQuery { return kbQuery{Name: name, Q: w, En: w, CJK: []string{}, InRaw: true} }
	return []kbQuery{
		zh("zh common word", c.zh[0]),
		zh("zh two words", c.zh[3]+c.zh[8]),
		zh("zh word of rank 40", c.zh[40]),
		zh("zh rare word, rank 700", c.zh[700]),
		{Name: "zh one character", Q: string([]rune(c.zh[2])[:1])},
		en("en common word", c.en[1]),
		en("en two words", c.en[5]+" "+c.en[30]),
		en("en plural of a rare word", c.en[400]+"s"),
		{Name: "en and zh", Q: c.en[2] + " " + c.zh[2], En: c.en[2], CJK: bigrams(c.zh[2]), InRaw: true},
	}
}

// loadArticles creates n articles through the API (POST
// /v1/kb/articles, then its publish), kbLoaders at a time: even ones
// zh-CN, odd ones en, a third internal.
func loadArticles(ctx context.Context, client *http.Client, token func() (string, error), base string, c *kbCorpus, n int) error {
	type input struct{ Locale, Visibility, Title, Body string }
	inputs := make([]input, n)
	for i := range inputs {
		words, sep, locale := c.zh, "", "zh-CN"
		if i%2 == 1 {
			words, sep, locale = c.en, " ", "en"
		}
		inputs[i] = input{locale, []string{"public", "internal"}[i%3/2], c.text(words, 5, sep), c.text(words, kbBodyWords, sep)}
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(kbLoaders)
	for i, in := range inputs {
		g.Go(func() error {
			body, _ := json.Marshal(map[string]any{"locale": in.Locale, "visibility": in.Visibility, "title": in.Title,
				"body": in.Body, "bodyFormat": "markdown", "tags": []string{}})
			b, err := benchRequest(ctx, client, token, http.MethodPost, base+"/v1/kb/articles", string(body))
			if err != nil {
				return err
			}
			var a struct {
				ID      string `json:"id"`
				Version int64  `json:"version"`
			}
			if err := json.Unmarshal(b, &a); err != nil {
				return err
			}
			if _, err := benchRequest(ctx, client, token, http.MethodPost, base+"/v1/kb/articles/"+a.ID+"/publish", "",
				"If-Match", `"`+strconv.FormatInt(a.Version, 10)+`"`); err != nil {
				return err
			}
			if (i+1)%2000 == 0 {
				fmt.Fprintf(os.Stderr, "bench: support: %d articles created and published\n", i+1)
			}
			return nil
		})
	}
	return g.Wait()
}

// kbRow is one query of the mix measured: through the service, and its
// postings read through database/sql.
type kbRow struct {
	Name, Q  string
	Hits     int
	Latency  latency
	Raw      latency // zero when not in the baseline
	RawHits  int
	RawInMix bool
	Requests int
}

// kbRawSQL is the raw baseline's read: the articles having every term of
// $1 in their published postings (kb_terms), scored by the sum of the
// terms' weights, the best 10 — the index the service's search reads,
// without its idf, phrase check, article and text reads or highlights.
const kbRawSQL = `WITH q AS (SELECT DISTINCT t FROM unnest(tsvector_to_array(to_tsvector('english', $1)) || $2::text[]) t)
	SELECT article_id, sum(weight) AS score FROM kb_terms WHERE term = ANY(ARRAY(SELECT t FROM q))
	GROUP BY article_id HAVING count(*) = (SELECT count(*) FROM q) ORDER BY score DESC, article_id LIMIT 10`

// kbSearchSQL is the shape of a published search of one term ($1) as
// services/support's kb/store_search.go and kb/candidates.go render it
// (hand-copied: the postings of the term, each article's weight times
// the term's idf against a constant corpus, the best 10, then their
// articles and texts for the hits and highlights).
const kbSearchSQL = `SELECT a.id, a.translation_group, a.locale, a.category_id, a.visibility, a.state, t.title, t.body_text, a.helpful_count,
	a.not_helpful_count, a.updated_at, r.score
	FROM (WITH m AS (SELECT x.article_id, sum(x.w) AS score FROM (SELECT article_id,
				weight * (SELECT ln(1 + 10000.0::float8 / count(*)) FROM kb_terms WHERE term = $1) AS w
			FROM kb_terms WHERE term = $1) x GROUP BY x.article_id HAVING count(*) = 1)
		SELECT m.article_id, m.score FROM m ORDER BY m.score DESC, m.article_id LIMIT 10) r
	JOIN kb_articles a ON a.tenant_id = ` + pgrecord.CurrentTenant + ` AND a.id = r.article_id
	JOIN kb_search t ON t.tenant_id = a.tenant_id AND t.article_id = r.article_id AND t.kind = 'published'
	ORDER BY r.score DESC, r.article_id`

// kbExplain runs EXPLAIN ANALYZE of kbSearchSQL for the mix's first query
// (a common Chinese word, one bigram) as the application role.
func kbExplain(ctx context.Context, app *sqlx.DB, tenant string, c *kbCorpus) (string, error) {
	var lines []string
	err := pg.WithTenantTx(ctx, app, tenant, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &lines, "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "+kbSearchSQL, c.queries()[0].Q)
	})
	return strings.Join(lines, "\n"), err
}

// measureKBSearch times GET /v1/kb/search?q=…&limit=10 over the mix,
// kbRequests in turn after kbWarmup, then the raw baseline, the same
// number of reads of the mix's postings as the application role.
func measureKBSearch(ctx context.Context, client *http.Client, token func() (string, error), base string, app *sqlx.DB, tenant string,
	c *kbCorpus) ([]kbRow, latency, latency, error) {
	qs := c.queries()
	rows := make([]kbRow, len(qs))
	per := make([][]time.Duration, len(qs))
	var all []time.Duration
	for i := range kbWarmup + kbRequests {
		k := i % len(qs)
		u := base + "/v1/kb/search?" + url.Values{"q": {qs[k].Q}, "limit": {"10"}}.Encode()
		t := time.Now()
		b, err := benchRequest(ctx, client, token, http.MethodGet, u, "")
		took := time.Since(t)
		if err != nil {
			return nil, latency{}, latency{}, err
		}
		if i < kbWarmup {
			var page struct {
				Items []json.RawMessage `json:"items"`
			}
			if err := json.Unmarshal(b, &page); err != nil {
				return nil, latency{}, latency{}, err
			}
			rows[k].Hits = len(page.Items)
			continue
		}
		per[k], all = append(per[k], took), append(all, took)
	}
	var rawAll []time.Duration
	rawPer := make([][]time.Duration, len(qs))
	for i := range kbWarmup + kbRequests {
		k := i % len(qs)
		if !qs[k].InRaw {
			continue
		}
		var hits int
		t := time.Now()
		err := pg.WithTenantTx(ctx, app, tenant, func(tx *sqlx.Tx) error {
			var ids []struct {
				ID    string  `db:"article_id"`
				Score float64 `db:"score"`
			}
			err := tx.SelectContext(ctx, &ids, kbRawSQL, qs[k].En, pq.StringArray(qs[k].CJK))
			hits = len(ids)
			return err
		})
		took := time.Since(t)
		if err != nil {
			return nil, latency{}, latency{}, fmt.Errorf("raw postings read: %w", err)
		}
		if i < kbWarmup {
			rows[k].RawHits = hits
			continue
		}
		rawPer[k], rawAll = append(rawPer[k], took), append(rawAll, took)
	}
	for k, q := range qs {
		rows[k].Name, rows[k].Q, rows[k].Latency, rows[k].Requests = q.Name, q.Q, distribution(per[k]), len(per[k])
		if q.InRaw {
			rows[k].Raw, rows[k].RawInMix = distribution(rawPer[k]), true
		}
	}
	return rows, distribution(all), distribution(rawAll), nil
}
