package predictions

import (
	"slices"
	"sort"
	"time"
)

// timeline holds, per key (an owner, an account, an opportunity), the
// times something happened, sorted once so that counting those before a
// time is a binary search: the features of a record as of a reference
// time see only what happened before it.
type timeline map[string][]time.Time

// add records that something happened to key at at.
func (tl timeline) add(key string, at time.Time) { tl[key] = append(tl[key], at) }

// sort orders every key's times; call it once after the adds.
func (tl timeline) sort() {
	for _, ts := range tl {
		slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	}
}

// before counts key's times strictly before t.
func (tl timeline) before(key string, t time.Time) int {
	ts := tl[key]
	return sort.Search(len(ts), func(i int) bool { return !ts[i].Before(t) })
}

// within counts key's times in [from, to).
func (tl timeline) within(key string, from, to time.Time) int {
	return tl.before(key, to) - tl.before(key, from)
}

// after counts key's times in (from, to].
func (tl timeline) after(key string, from, to time.Time) int {
	ts := tl[key]
	upTo := func(t time.Time) int { return sort.Search(len(ts), func(i int) bool { return ts[i].After(t) }) }
	return upTo(to) - upTo(from)
}

// last returns key's latest time before or at t, false without one.
func (tl timeline) last(key string, t time.Time) (time.Time, bool) {
	ts := tl[key]
	i := sort.Search(len(ts), func(i int) bool { return ts[i].After(t) })
	if i == 0 {
		return time.Time{}, false
	}
	return ts[i-1], true
}
