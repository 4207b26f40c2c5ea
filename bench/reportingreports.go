package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/pg"
)

// reportTables are the reports of issue 20 and the read model each counts
// its records in: the raw baseline counts that table's rows of the tenant.
var reportTables = []struct{ name, table string }{
	{"funnel", "rm_leads"}, {"pipeline", "rm_opportunities"}, {"pipeline-stages", "rm_opportunities"},
	{"lead-sources", "rm_leads"}, {"campaign-roi", "rm_touches"}, {"forecast", "rm_opportunities"},
	{"lifecycle", "rm_contact_stages"}, {"lifecycle-flows", "rm_contact_stages"}, {"customer-value", "rm_opportunities"},
	{"service", "rm_cases"}, {"activity", "rm_activities"},
}

// reportWarmup requests of each report are not timed.
const reportWarmup = 2

// reportCase is one report's latency through the service and its
// baseline's.
type reportCase struct {
	Name, Table string
	Rows        int   // rows of its JSON answer
	Counted     int64 // the table's rows of the tenant
	Latency     latency
	Raw         latency
	CPU         time.Duration // the service's CPU per request (warm-ups included)
}

// measureReports requests each report n times (after reportWarmup) with
// its default parameters (the last 12 months, month, its default groupBy)
// as JSON, one after the other; the baseline, measured before each, is
// count(*) of its table's rows of the tenant in a tenant transaction as
// the application role, as many times.
func measureReports(ctx context.Context, s *contactsStack, app *sqlx.DB, tenant string, n int) ([]reportCase, error) {
	client := &http.Client{Timeout: 5 * time.Minute}
	token := s.tokens(reportingAdmin(tenant))
	var out []reportCase
	for _, rt := range reportTables {
		c := reportCase{Name: rt.name, Table: rt.table}
		var raw []time.Duration
		for i := range reportWarmup + n {
			t := time.Now()
			if err := pg.WithTenantTx(ctx, app, tenant, func(tx *sqlx.Tx) error {
				return tx.GetContext(ctx, &c.Counted, `SELECT count(*) FROM `+rt.table+` WHERE gen = 1`)
			}); err != nil {
				return nil, err
			}
			if i >= reportWarmup {
				raw = append(raw, time.Since(t))
			}
		}
		c.Raw = distribution(raw)
		cpu0, err := processCPU(ctx, s.base)
		if err != nil {
			return nil, err
		}
		c.Latency, err = timeReport(ctx, client, token, s.base+"/v1/reports/"+rt.name, n, func(b []byte) error {
			var res struct {
				Rows []json.RawMessage `json:"rows"`
			}
			if err := json.Unmarshal(b, &res); err != nil {
				return err
			}
			c.Rows = len(res.Rows)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", rt.name, err)
		}
		cpu1, err := processCPU(ctx, s.base)
		if err != nil {
			return nil, err
		}
		c.CPU = (cpu1 - cpu0) / time.Duration(reportWarmup+n)
		fmt.Fprintf(os.Stderr, "bench: reporting: %s p50 %s p99 %s (%d rows; count(*) p99 %s)\n", rt.name, ms(c.Latency.P50), ms(c.Latency.P99), c.Rows, ms(c.Raw.P99))
		out = append(out, c)
	}
	return out, nil
}

// timeReport GETs u reportWarmup + n times one after the other and
// returns the distribution of the last n; first sees the first body.
func timeReport(ctx context.Context, client *http.Client, token func() (string, error), u string, n int, first func([]byte) error) (latency, error) {
	took := make([]time.Duration, 0, n)
	for i := range reportWarmup + n {
		t := time.Now()
		b, err := benchRequest(ctx, client, token, http.MethodGet, u, "")
		if err != nil {
			return latency{}, err
		}
		if i >= reportWarmup {
			took = append(took, time.Since(t))
		}
		if i == 0 {
			if err := first(b); err != nil {
				return latency{}, err
			}
		}
	}
	return distribution(took), nil
}

// exportRun is the export run (target 4): customer-value per account of
// the export's tenant as XLSX and as CSV through the service, the same
// XLSX of a tenant with a tenth of the rows, and the baseline.
type exportRun struct {
	Rows                  int // data rows of the CSV answer
	XLSX, CSV             exportTake
	Raw                   time.Duration // raw SQL of the same figures → encoding/csv
	RawBytes              int64
	RSSBefore             int64 // the service's resident memory before the XLSX request
	HeapBefore, HeapAfter int64
	// SmallRows, Small and SmallHeapBefore are the XLSX export of a
	// tenant with a tenth of the rows, requested first: whether memory
	// grows with the rows.
	SmallRows       int
	Small           exportTake
	SmallHeapBefore int64
}

// heapGrowth is how far the heap in use rose above before during t.
func heapGrowth(t exportTake, before int64) int64 { return max(0, t.PeakHeap-before) }

// Flat reports whether the XLSX export's heap grew less than twice as
// much for ten times the rows.
func (r exportRun) Flat() bool {
	return heapGrowth(r.XLSX, r.HeapBefore) < 2*max(heapGrowth(r.Small, r.SmallHeapBefore), 1<<20)
}

// exportTake is one export request: its time to the first byte and to the
// last, its size, and the service's peak resident memory and heap in use
// during it (RSS every 10 ms from /proc, heap every 100 ms from /metrics).
type exportTake struct {
	First, Took     time.Duration
	Bytes           int64
	PeakRSS         int64
	PeakHeap        int64
	RSSAtFirstBytes int64
}

// measureExport exports customer-value per account of small (smallRows
// accounts) as XLSX, then of tenant (one row per account) as XLSX and then
// CSV, the bodies read to the end into
// io.Discard, sampling the service's memory (pid) meanwhile; the baseline
// reads the same accounts' figures (won count, sum, first and last close)
// with one SQL query in a tenant transaction and writes them with
// encoding/csv to a file.
func measureExport(ctx context.Context, s *contactsStack, app *sqlx.DB, tenant, small string, smallRows, pid int) (r exportRun, err error) {
	const xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	u := s.base + "/v1/reports/customer-value"
	r.SmallRows = smallRows
	r.SmallHeapBefore, _ = metricValue(ctx, s.base, "go_memstats_heap_inuse_bytes")
	if r.Small, err = exportOnce(ctx, s.base, s.tokens(reportingAdmin(small)), u, xlsx, pid, nil); err != nil {
		return r, fmt.Errorf("xlsx of %d rows: %w", smallRows, err)
	}
	token := s.tokens(reportingAdmin(tenant))
	r.RSSBefore = rssOf(pid)
	r.HeapBefore, _ = metricValue(ctx, s.base, "go_memstats_heap_inuse_bytes")
	if r.XLSX, err = exportOnce(ctx, s.base, token, u, xlsx, pid, nil); err != nil {
		return r, fmt.Errorf("xlsx: %w", err)
	}
	fmt.Fprintf(os.Stderr, "bench: reporting: XLSX %d bytes in %s, peak RSS %d MB\n", r.XLSX.Bytes, r.XLSX.Took.Round(time.Millisecond), r.XLSX.PeakRSS>>20)
	lines := 0
	if r.CSV, err = exportOnce(ctx, s.base, token, u, "text/csv", pid, &lines); err != nil {
		return r, fmt.Errorf("csv: %w", err)
	}
	r.Rows = lines - 1
	r.HeapAfter, _ = metricValue(ctx, s.base, "go_memstats_heap_inuse_bytes")

	f, err := os.CreateTemp("", "rapport-bench-export-*.csv")
	if err != nil {
		return r, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	start := time.Now()
	err = pg.WithTenantTx(ctx, app, tenant, func(tx *sqlx.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT a.id::text, a.name, a.industry, count(*), sum(o.amount_minor), min(o.closed_at), max(o.closed_at)
			FROM rm_opportunities o JOIN rm_accounts a ON a.gen = o.gen AND a.id = o.account_id
			WHERE o.gen = 1 AND o.status = 'won' AND NOT o.deleted GROUP BY a.id, a.name, a.industry ORDER BY a.id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		bw := bufio.NewWriter(f)
		w := csv.NewWriter(bw)
		if err := w.Write([]string{"Account", "Name", "Industry", "Frequency", "Monetary", "First", "Last"}); err != nil {
			return err
		}
		for rows.Next() {
			var id, name, industry string
			var count, sum int64
			var first, last time.Time
			if err := rows.Scan(&id, &name, &industry, &count, &sum, &first, &last); err != nil {
				return err
			}
			if err := w.Write([]string{id, name, industry, strconv.FormatInt(count, 10), strconv.FormatFloat(float64(sum)/100, 'f', 2, 64),
				first.Format(time.RFC3339), last.Format(time.RFC3339)}); err != nil {
				return err
			}
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		return rows.Err()
	})
	r.Raw = time.Since(start)
	if st, serr := f.Stat(); serr == nil {
		r.RawBytes = st.Size()
	}
	return r, err
}

// exportOnce GETs u with accept, reading the body to the end; lines, if
// not nil, gets the body's line count.
func exportOnce(ctx context.Context, base string, token func() (string, error), u, accept string, pid int, lines *int) (t exportTake, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return t, err
	}
	tok, err := token()
	if err != nil {
		return t, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", accept)
	sctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var mu sync.Mutex
	wg.Add(2)
	go func() { // RSS
		defer wg.Done()
		for sctx.Err() == nil {
			v := rssOf(pid)
			mu.Lock()
			t.PeakRSS = max(t.PeakRSS, v)
			mu.Unlock()
			time.Sleep(10 * time.Millisecond) //nolint:forbidigo // sampling memory
		}
	}()
	go func() { // heap
		defer wg.Done()
		for sctx.Err() == nil {
			v, _ := metricValue(sctx, base, "go_memstats_heap_inuse_bytes")
			mu.Lock()
			t.PeakHeap = max(t.PeakHeap, v)
			mu.Unlock()
			time.Sleep(100 * time.Millisecond) //nolint:forbidigo // sampling memory
		}
	}()
	defer func() { stop(); wg.Wait() }()
	start := time.Now()
	res, err := (&http.Client{Timeout: 10 * time.Minute}).Do(req)
	if err != nil {
		return t, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		return t, fmt.Errorf("GET %s: %d %s", u, res.StatusCode, b)
	}
	br := bufio.NewReaderSize(res.Body, 1<<16)
	if _, err := br.Peek(1); err != nil {
		return t, err
	}
	t.First, t.RSSAtFirstBytes = time.Since(start), rssOf(pid)
	if lines != nil {
		for {
			line, err := br.ReadSlice('\n')
			t.Bytes += int64(len(line))
			if len(line) > 0 && line[len(line)-1] == '\n' {
				*lines++
			}
			if err == io.EOF {
				break
			}
			if err != nil && err != bufio.ErrBufferFull {
				return t, err
			}
		}
	} else {
		n, err := io.Copy(io.Discard, br)
		t.Bytes = n
		if err != nil {
			return t, err
		}
	}
	t.Took = time.Since(start)
	return t, nil
}

// rssOf is pid's resident memory in bytes (VmRSS), 0 if unknown.
func rssOf(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// metricValue is the value of the unlabelled metric name on base's
// /metrics.
func metricValue(ctx context.Context, base, name string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return int64(f), err
		}
	}
	return 0, fmt.Errorf("%s/metrics has no %s", base, name)
}

// trainRun is the training run (target 5).
type trainRun struct {
	Closed  int
	Took    time.Duration
	Models  []trainedModel
	Raw     time.Duration // the raw read of the win model's opportunities and moves
	RawRows int
	CPU     time.Duration // the service's CPU during the request
}

// trainedModel is a model as POST /v1/predictions/retrain answers it.
type trainedModel struct {
	Kind      string `json:"kind"`
	Status    string `json:"status"`
	Version   string `json:"version"`
	TrainSize int    `json:"trainSize"`
	TestSize  int    `json:"testSize"`
	Metric    *struct {
		Name  string  `json:"name"`
		Value float64 `json:"value"`
	} `json:"metric"`
	Reason string `json:"reason"`
}

// measureTraining times POST /v1/predictions/retrain of tenant (every
// model of it trained now); the baseline reads the win model's rows (the
// opportunities and stage moves) with two raw queries in a tenant
// transaction.
func measureTraining(ctx context.Context, s *contactsStack, app *sqlx.DB, tenant string, closed int) (r trainRun, err error) {
	r.Closed = closed
	start := time.Now()
	err = pg.WithTenantTx(ctx, app, tenant, func(tx *sqlx.Tx) error {
		for _, q := range []string{`SELECT id, status, amount_minor, owner_id, account_id, created_at, closed_at FROM rm_opportunities WHERE gen = 1 AND NOT deleted`,
			`SELECT opportunity_id, at, to_stage_id FROM rm_stage_moves WHERE gen = 1`} {
			rows, err := tx.QueryxContext(ctx, q)
			if err != nil {
				return err
			}
			for rows.Next() {
				if _, err := rows.SliceScan(); err != nil {
					rows.Close()
					return err
				}
				r.RawRows++
			}
			rows.Close()
		}
		return nil
	})
	r.Raw = time.Since(start)
	if err != nil {
		return r, err
	}
	cpu0, _ := processCPU(ctx, s.base)
	client := &http.Client{Timeout: 10 * time.Minute}
	start = time.Now()
	b, err := benchRequest(ctx, client, s.tokens(reportingAdmin(tenant)), http.MethodPost, s.base+"/v1/predictions/retrain", "")
	r.Took = time.Since(start)
	if err != nil {
		return r, err
	}
	cpu1, _ := processCPU(ctx, s.base)
	r.CPU = cpu1 - cpu0
	var body struct {
		Items []trainedModel `json:"items"`
	}
	if err := json.Unmarshal(b, &body); err != nil {
		return r, fmt.Errorf("retrain answered %s: %w", b[:min(len(b), 300)], err)
	}
	r.Models = body.Items
	slices.SortFunc(r.Models, func(a, b trainedModel) int { return strings.Compare(a.Kind, b.Kind) })
	return r, nil
}
