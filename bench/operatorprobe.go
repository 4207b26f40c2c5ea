package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/prometheus/procfs"
)

// counts are sums of a counter by one of its labels.
type counts map[string]float64

// sub returns c − o.
func (c counts) sub(o counts) counts {
	out := counts{}
	for k, v := range c {
		if d := v - o[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

// total is the sum over every label value.
func (c counts) total() float64 {
	var n float64
	for _, v := range c {
		n += v
	}
	return n
}

// operatorMetrics is what the operator's /metrics tells of its work:
// controller-runtime's rest_client_requests_total by method, and its
// reconciles by result.
type operatorMetrics struct {
	Requests   counts
	Reconciles counts
}

// scrapeOperator reads the operator's metrics endpoint at addr (host:port).
func scrapeOperator(ctx context.Context, addr string) (operatorMetrics, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return operatorMetrics{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return operatorMetrics{}, fmt.Errorf("operator metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return operatorMetrics{}, fmt.Errorf("operator metrics: %s", resp.Status)
	}
	fams, err := parseMetrics(resp.Body)
	if err != nil {
		return operatorMetrics{}, fmt.Errorf("operator metrics: %w", err)
	}
	m := operatorMetrics{Requests: counts{}, Reconciles: counts{}}
	for _, s := range fams["rest_client_requests_total"].GetMetric() {
		m.Requests[label(s, "method")] += s.GetCounter().GetValue()
	}
	for _, s := range fams["controller_runtime_reconcile_total"].GetMetric() {
		m.Reconciles[label(s, "result")] += s.GetCounter().GetValue()
	}
	return m, nil
}

// apiLatency is the API server's own apiserver_request_duration_seconds
// over every request but WATCH and CONNECT: their count and summed time.
type apiLatency struct {
	Count   float64
	Seconds float64
}

// scrapeAPIServer reads the API server's metrics through kubectl.
func scrapeAPIServer(ctx context.Context, kc kubectl) (apiLatency, error) {
	out, err := kc.output(ctx, "get", "--raw", "/metrics")
	if err != nil {
		return apiLatency{}, err
	}
	fams, err := parseMetrics(bytes.NewReader(out))
	if err != nil {
		return apiLatency{}, fmt.Errorf("API server metrics: %w", err)
	}
	var l apiLatency
	for _, s := range fams["apiserver_request_duration_seconds"].GetMetric() {
		if v := label(s, "verb"); v == "WATCH" || v == "CONNECT" {
			continue
		}
		l.Count += float64(s.GetHistogram().GetSampleCount())
		l.Seconds += s.GetHistogram().GetSampleSum()
	}
	return l, nil
}

// mean is the average time of the requests between o and l.
func (l apiLatency) mean(o apiLatency) time.Duration {
	if l.Count <= o.Count {
		return 0
	}
	return time.Duration((l.Seconds - o.Seconds) / (l.Count - o.Count) * float64(time.Second))
}

func parseMetrics(r io.Reader) (map[string]*dto.MetricFamily, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	return p.TextToMetricFamilies(r)
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// cpuUse is the CPU time, in seconds, of the processes taking part in the
// run and of the whole machine.
type cpuUse struct {
	By      counts  // "operator", "gateway", "kube-apiserver", "etcd"
	Machine float64 // busy seconds of every core together
	At      time.Time
	// postgres holds each postgres process by pid and start time, since
	// backends come and go.
	postgres map[[2]uint64]float64
}

// sub returns the CPU seconds used from o to u. Of the postgres processes
// only those in pids count, each from o, or from its start when it began
// since, to the last time it was seen (samplePostgresCPU).
func (u cpuUse) sub(o cpuUse, pids map[int]bool) counts {
	d := u.By.sub(o.By)
	var pg float64
	for k, v := range u.postgres {
		if pids[int(k[0])] {
			pg += v - o.postgres[k]
		}
	}
	d["postgres"] = pg
	return d
}

// readCPU reads /proc: the operator and gateway by pid, envtest's
// kube-apiserver and etcd as children of this process, and every postgres
// process on the machine (the local server's, which other work on the
// machine may share).
func readCPU(operatorPid, gatewayPid int) (cpuUse, error) {
	fs, err := procfs.NewDefaultFS()
	if err != nil {
		return cpuUse{}, err
	}
	u := cpuUse{By: counts{}, At: time.Now(), postgres: map[[2]uint64]float64{}}
	st, err := fs.Stat()
	if err != nil {
		return u, err
	}
	c := st.CPUTotal
	u.Machine = c.User + c.Nice + c.System + c.IRQ + c.SoftIRQ + c.Steal
	procs, err := fs.AllProcs()
	if err != nil {
		return u, err
	}
	self := os.Getpid()
	for _, p := range procs {
		ps, err := p.Stat()
		if err != nil {
			continue // it ended meanwhile
		}
		switch {
		case p.PID == operatorPid:
			u.By["operator"] += ps.CPUTime()
		case p.PID == gatewayPid:
			u.By["gateway"] += ps.CPUTime()
		case ps.PPID == self && (ps.Comm == "kube-apiserver" || ps.Comm == "etcd"):
			u.By[ps.Comm] += ps.CPUTime()
		case ps.Comm == "postgres":
			u.postgres[[2]uint64{uint64(p.PID), ps.Starttime}] = ps.CPUTime()
		}
	}
	return u, nil
}

// peakRSS is the operator's VmHWM: the most resident memory it ever had.
func peakRSS(pid int) (uint64, error) {
	p, err := procfs.NewProc(pid)
	if err != nil {
		return 0, err
	}
	s, err := p.NewStatus()
	if err != nil {
		return 0, fmt.Errorf("status of the operator (pid %d): %w", pid, err)
	}
	return s.VmHWM, nil
}
