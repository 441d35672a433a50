package api

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
)

// A screen that paces its refreshes by what a read costs must know what
// the read cost: every GraphQL query it sent, not one of them. A count's
// query may be followed by pages of waiting jobs (settleOldest), up to
// oldestPoints more, and a screen that paced itself by the first query
// alone refreshed a queue whose longest wait needs pages as if it were
// cheap. A PointsMeter carried by the context counts every query sent
// under it, as the API charged it.

// PointsMeter adds up the GraphQL points charged for the queries sent
// under a context (CountPoints). Safe for concurrent use.
type PointsMeter struct {
	n      atomic.Int64
	parent *PointsMeter
}

type pointsKey struct{}

// CountPoints is ctx with a meter of its own: every GraphQL query sent
// under it adds what it was charged to the meter, and to any meter of ctx
// (a part of a read is counted in the whole).
func CountPoints(ctx context.Context) (context.Context, *PointsMeter) {
	m := &PointsMeter{parent: meterOf(ctx)}
	return context.WithValue(ctx, pointsKey{}, m), m
}

func meterOf(ctx context.Context) *PointsMeter {
	m, _ := ctx.Value(pointsKey{}).(*PointsMeter)
	return m
}

// Points is what the queries counted so far were charged.
func (m *PointsMeter) Points() int {
	if m == nil {
		return 0
	}
	return int(m.n.Load())
}

func (m *PointsMeter) add(points int) {
	for ; m != nil; m = m.parent {
		m.n.Add(int64(points))
	}
}

// chargedPoints is what a GraphQL reply was charged: the API's
// RateLimit-Complexity-Actual, else (a server that does not say) what the
// query asked for, which is never less.
func chargedPoints(h http.Header, requested int) int {
	if n, err := strconv.Atoi(h.Get("RateLimit-Complexity-Actual")); err == nil && n >= 0 {
		return n
	}
	return requested
}
