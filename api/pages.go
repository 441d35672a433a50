package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// PerPage is how many items the client asks for per page: the API's most.
const PerPage = 100

// Page is one page of a list, delivered as soon as it arrives.
type Page[T any] struct {
	// Items are the page's items that could be read.
	Items []T
	// Number is the page's number, from 1.
	Number int
	// Last is the number of the last page when the server names it in
	// Link rel="last", else 0.
	Last int
	// Skipped counts the page's items that could not be read (a shape
	// this build does not know); SkipReason is the first one's reason.
	// The other items are in Items: one odd item never costs the page.
	Skipped    int
	SkipReason error
}

// PageFunc receives each page of a list in order. Returning an error
// stops the listing with that error. A list given a PageFunc hands its
// pages over and returns no slice of its own.
type PageFunc[T any] func(Page[T]) error

type everyPageKey struct{}

// EveryPage marks a list read with ctx as one whose PageFunc reads every
// page and stops only on an error (a command printing the whole list):
// the list then asks for the other pages before it hands the first over,
// so the caller's work on page 1 hides behind their requests. A list
// whose PageFunc may stop at its first page (a lookup by name) is not so
// marked: it must not send requests for pages it will not read.
func EveryPage(ctx context.Context) context.Context {
	return context.WithValue(ctx, everyPageKey{}, true)
}

func readsEveryPage(ctx context.Context) bool {
	every, _ := ctx.Value(everyPageKey{}).(bool)
	return every
}

// SkippedError reports, beside a list that was otherwise read whole, the
// items that could not be read: how many and the first one's reason. A
// list method returns the items it read together with this error, so a
// screen shows the list and says "1 pipeline could not be read: …"
// (Describe). Use errors.As to tell it from a failure of the whole list.
type SkippedError struct {
	Count int
	// Jobs are how many of Count are jobs skipped inside builds that were
	// read (a builds list, a build): a build with an unreadable job is
	// still listed, so it must not be counted as a build left out.
	Jobs  int
	First error
}

func (e *SkippedError) Error() string { return e.Describe("item") }

// Unwrap gives the first item's reason.
func (e *SkippedError) Unwrap() error { return e.First }

// Describe says what was skipped with noun for one item ("pipeline"):
// "2 pipelines could not be read: item 3 of page 1 ("Deploy"): …", and
// the jobs apart from the items: "1 build and 2 jobs could not be read".
func (e *SkippedError) Describe(noun string) string {
	items := e.Count - e.Jobs
	var what string
	switch {
	case e.Jobs == 0:
		what = plural(e.Count, noun)
	case items <= 0:
		what = plural(e.Jobs, "job")
	default:
		what = plural(items, noun) + " and " + plural(e.Jobs, "job")
	}
	return fmt.Sprintf("%s could not be read: %v", what, e.First)
}

// plural is n and noun, with an s unless n is one.
func plural(n int, noun string) string {
	if n != 1 {
		noun += "s"
	}
	return fmt.Sprintf("%d %s", n, noun)
}

// Partial reports whether err is only a SkippedError: the list it came
// with holds every item that could be read, and can be shown.
func Partial(err error) (*SkippedError, bool) {
	var skipped *SkippedError
	if errors.As(err, &skipped) {
		return skipped, true
	}
	return nil, false
}

// ErrPagination is a list whose pages the client stopped following: they
// link back to a page already read, or name more pages or items than a
// list may hold (listLimits). The pages before are delivered; the error
// wraps this one with what was seen.
var ErrPagination = errors.New("the API's pages could not be followed")

// ListLimits bound what one list may cost: the server's Link headers are
// trusted only this far.
type ListLimits struct {
	// Pages bounds the pages of one list, whether followed by rel="next"
	// or fetched up to rel="last".
	Pages int
	// Items bounds the items of one list (read or skipped): a server that
	// ignores per_page cannot make a list larger than this.
	Items int
	// Bytes bounds the JSON of one list's pages (the replies' bytes),
	// summed.
	Bytes int
	// PageBytes bounds one page's reply (0: DefaultListLimits'); past it
	// the page is not read on (ErrPagination).
	PageBytes int
	// HeldBytes bounds the pages a list has outstanding — asked for and
	// not yet handed over — when they are fetched in parallel (0:
	// DefaultListLimits'): one more page is asked for only while that
	// many pages of the largest size seen so far fit within it. A page
	// always may be, when none is outstanding.
	HeldBytes int
}

// DefaultListLimits allow a list of 100,000 items, 1,000 full pages of
// PerPage: far more clusters, queues, tokens or pipelines than an
// organisation has, and far less than a hostile server could send. A
// page of 100 pipelines is a few hundred KB, so that DefaultParallel
// pages are outstanding at once; a page of 16 MB is refused, and pages of
// 15 MB are asked for two at a time.
var DefaultListLimits = ListLimits{Pages: 1000, Items: 100_000, Bytes: 256 << 20, PageBytes: 16 << 20, HeldBytes: 32 << 20}

// pageBytes is the bound of one page's reply.
func (l ListLimits) pageBytes() int {
	if l.PageBytes > 0 {
		return l.PageBytes
	}
	return DefaultListLimits.PageBytes
}

func (l ListLimits) heldBytes() int {
	if l.HeldBytes > 0 {
		return l.HeldBytes
	}
	return DefaultListLimits.HeldBytes
}

// pageGate decides when a list fetched in parallel may ask for one more
// page: while the pages outstanding, one more included, would hold no
// more than limit bytes were each as large as the largest seen. Pages
// are asked for and handed over in order, so the page awaited is always
// among those outstanding, and the list never stalls.
type pageGate struct {
	mu          sync.Mutex
	outstanding int
	largest     int
	limit       int
	// opened is signalled when a page is handed over or arrives.
	opened chan struct{}
}

func newPageGate(limit, firstPage int) *pageGate {
	return &pageGate{limit: limit, largest: firstPage, opened: make(chan struct{}, 1)}
}

// ask waits until one more page may be asked for, and counts it.
func (g *pageGate) ask(ctx context.Context) error {
	for {
		g.mu.Lock()
		if g.outstanding == 0 || (g.outstanding+1)*max(g.largest, 1) <= g.limit {
			g.outstanding++
			g.mu.Unlock()
			return nil
		}
		g.mu.Unlock()
		if hook := gateWaits.Load(); hook != nil {
			(*hook)()
		}
		select {
		case <-g.opened:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// gateWaits, when set, is told each time a list's next page must wait
// for the pages outstanding: a test's event to wait on, rather than time.
var gateWaits atomic.Pointer[func()]

// arrived records the size of a page read.
func (g *pageGate) arrived(size int) {
	g.mu.Lock()
	g.largest = max(g.largest, size)
	g.mu.Unlock()
}

// handedOver frees the place of a page given to the caller.
func (g *pageGate) handedOver() {
	g.mu.Lock()
	g.outstanding--
	g.mu.Unlock()
	select {
	case g.opened <- struct{}{}:
	default:
	}
}

// pageContext bounds the reply of a request for one page of a list.
func pageContext(ctx context.Context) context.Context {
	return withReplyLimit(ctx, listLimits.pageBytes())
}

// listLimits is what list enforces; tests lower it.
var listLimits = DefaultListLimits

// listState counts what a list has cost so far, against listLimits.
type listState struct {
	limits  ListLimits
	pages   int
	items   int
	bytes   int
	skipped int
	first   error
	seen    map[string]int // page URL → page number, to catch a loop
}

// visit records a page URL about to be fetched, refusing one already read
// and a page beyond the bound.
func (s *listState) visit(target *url.URL, number int) error {
	key := target.String()
	if earlier, ok := s.seen[key]; ok {
		return fmt.Errorf("%w: page %d links back to page %d", ErrPagination, number-1, earlier)
	}
	if number > s.limits.Pages {
		return fmt.Errorf("%w: more than %d pages", ErrPagination, s.limits.Pages)
	}
	s.seen[key] = number
	return nil
}

// decodePage reads one page's items one by one: an item that cannot be
// read is skipped and counted, never the page. The page must still be a
// JSON array.
func decodePage[T any](s *listState, raw []json.RawMessage, number int) (Page[T], error) {
	if err := s.count(len(raw), rawSize(raw)); err != nil {
		return Page[T]{}, err
	}
	page := readItems[T](raw, number)
	addSkips(s, page)
	return page, nil
}

// count adds a page of n items and size bytes to what the list has cost,
// and refuses it past the list's bounds.
func (s *listState) count(n, size int) error {
	s.pages++
	s.items += n
	s.bytes += size
	if s.items > s.limits.Items {
		return fmt.Errorf("%w: more than %d items", ErrPagination, s.limits.Items)
	}
	if s.bytes > s.limits.Bytes {
		return fmt.Errorf("%w: more than %s of items", ErrPagination, sizeText(s.limits.Bytes))
	}
	return nil
}

// addSkips adds a page's skipped items to the list's.
func addSkips[T any](s *listState, page Page[T]) {
	s.skipped += page.Skipped
	if s.first == nil {
		s.first = page.SkipReason
	}
}

// readItems reads a page's items one by one (see decodePage).
func readItems[T any](raw []json.RawMessage, number int) Page[T] {
	page := Page[T]{Number: number, Items: make([]T, 0, len(raw))}
	for i, r := range raw {
		var item T
		if err := json.Unmarshal(r, &item); err != nil {
			page.Skipped++
			if page.SkipReason == nil {
				page.SkipReason = &itemError{text: fmt.Sprintf("item %d of page %d%s: %s", i+1, number, itemName(r), readable(err)), err: err}
			}
			continue
		}
		page.Items = append(page.Items, item)
	}
	return page
}

// pageRead is one page of a list as the worker that fetched it read it,
// with what it costs the list: its items, read or skipped, and the
// reply's bytes.
type pageRead[T any] struct {
	page    Page[T]
	n, size int
}

// fetchPage fetches page number of a list and reads it: in one pass when
// every item can be read, as nearly every page is; else item by item
// (readItems), so that one odd item never costs the page. A reply that is
// no JSON array fails as any reply that could not be read. Pages fetched
// in parallel are so read in parallel too; the list counts them in
// order (countPage).
func fetchPage[T any](ctx context.Context, c *Client, req request, target *url.URL, number int) (http.Header, pageRead[T], error) {
	var body replyView
	header, err := c.do(ctx, req, target, &body)
	if err != nil {
		return header, pageRead[T]{}, err
	}
	read, err := readPage[T](req, target, body, number)
	return header, read, err
}

// readPage reads page number's reply (see fetchPage).
func readPage[T any](req request, target *url.URL, body replyView, number int) (pageRead[T], error) {
	var items []T
	if json.Unmarshal(body, &items) == nil {
		if items == nil { // a reply of null or nothing: no items
			items = []T{}
		}
		return pageRead[T]{page: Page[T]{Number: number, Items: items}, n: len(items), size: len(body)}, nil
	}
	var raw []json.RawMessage
	if err := decodeReply(req, target, body, &raw); err != nil {
		return pageRead[T]{}, err
	}
	return pageRead[T]{page: readItems[T](raw, number), n: len(raw), size: len(body)}, nil
}

// replyView is a reply's body as it was read, not a copy (decodeReply):
// for a caller that only reads it and keeps no part of it, as a page's
// JSON decoding does. The body may be the shared cache's.
type replyView []byte

// countPage counts a page read against the list's bounds, and its
// skipped items in the list's.
func countPage[T any](s *listState, r pageRead[T]) error {
	if err := s.count(r.n, r.size); err != nil {
		return err
	}
	addSkips(s, r.page)
	return nil
}

// itemError is why one item of a page could not be read, said for a
// person, with the decoder's error beneath it.
type itemError struct {
	text string
	err  error
}

func (e *itemError) Error() string { return e.text }
func (e *itemError) Unwrap() error { return e.err }

// readable says a decoding error in the API's terms: which property held
// what kind of JSON value, rather than Go's type names.
func readable(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return fmt.Sprintf("%q is a JSON %s, which the console cannot read there", typeErr.Field, typeErr.Value)
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return "it is not valid JSON"
	}
	return err.Error()
}

// sizeText writes a byte count for a person: "256 MB", "97 KB".
func sizeText(n int) string {
	switch {
	case n >= 1<<20:
		return strconv.Itoa(n>>20) + " MB"
	case n >= 1<<10:
		return strconv.Itoa(n>>10) + " KB"
	}
	return strconv.Itoa(n) + " bytes"
}

// rawSize is the bytes of a page's items.
func rawSize(raw []json.RawMessage) int {
	n := 0
	for _, r := range raw {
		n += len(r)
	}
	return n
}

// itemName is how a skipped item is named in its reason: its name, slug,
// key or description when it has one, quoted (a screen cleans it).
func itemName(raw json.RawMessage) string {
	var named struct {
		Name        any `json:"name"`
		Slug        any `json:"slug"`
		Key         any `json:"key"`
		Description any `json:"description"`
	}
	if json.Unmarshal(raw, &named) != nil {
		return ""
	}
	for _, v := range []any{named.Name, named.Slug, named.Key, named.Description} {
		if s, ok := v.(string); ok && s != "" {
			if len(s) > 60 {
				s = s[:60] + "…"
			}
			return fmt.Sprintf(" (%q)", s)
		}
	}
	return ""
}

// result is what list returns once every page is in: a SkippedError when
// items were skipped and nothing else went wrong.
func (s *listState) result(err error) error {
	if err == nil && s.skipped > 0 {
		return &SkippedError{Count: s.skipped, First: s.first}
	}
	return err
}

// list fetches every page of a list endpoint. Without onPage it returns
// all items. With onPage it hands each page over, in order, as soon as it
// and the pages before it have arrived, and keeps nothing itself (the
// returned slice is nil): a caller that streams a long list into its own
// store does not hold it twice. After page 1, when the server names
// the last page, the rest are fetched in parallel, at most c.parallel at
// a time; otherwise it follows Link rel="next" one page after another.
//
// Items that cannot be read are skipped and counted (Page.Skipped, and a
// SkippedError returned with the items). The server's Links are followed
// within listLimits and never twice to the same page (ErrPagination).
func list[T any](ctx context.Context, c *Client, scope, path string, onPage PageFunc[T]) ([]T, error) {
	// path may carry a list's filters as a query of its own.
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	first, err := url.Parse(c.base.String() + path + sep + "per_page=" + strconv.Itoa(PerPage))
	if err != nil {
		return nil, err
	}
	state := &listState{limits: listLimits, seen: map[string]int{}}
	_ = state.visit(first, 1)
	ctx = withReplyLimit(ctx, state.limits.pageBytes())
	req := request{method: http.MethodGet, path: path, scope: scope}
	header, read, err := fetchPage[T](ctx, c, req, first, 1)
	if err != nil {
		return nil, err
	}
	links := parseLinks(header.Get("Link"))
	last := pageNumber(links["last"])
	if err := countPage(state, read); err != nil {
		return nil, err
	}
	page := read.page
	page.Last = last
	// The first page is what was asked for; the rest of a long list is a
	// bulk read, which leaves the reserve to changes and looks.
	ctx = AsBulk(ctx)
	keep := onPage == nil
	var all []T
	if keep {
		all = append(all, page.Items...)
	}
	parallel := last > 1 && last <= state.limits.Pages && c.parallel > 1
	// A caller that reads every page gets page 1 once the others are
	// asked for (fetchRest); any other gets it first, and may stop there.
	handFirst := parallel && onPage != nil && readsEveryPage(ctx)
	if onPage != nil && !handFirst {
		if err := onPage(page); err != nil {
			return all, err
		}
	}
	if last > state.limits.Pages {
		// Refused before a single request more: a real list this long
		// is not one a console can show.
		return all, fmt.Errorf("%w: the API names %d pages, more than the %d a list may have", ErrPagination, last, state.limits.Pages)
	}
	if parallel {
		lastURL, err := c.sameOrigin(links["last"])
		if err != nil {
			// Page 1 is the caller's, as it is on every other path.
			if handFirst {
				if perr := onPage(page); perr != nil {
					return all, perr
				}
			}
			return all, err
		}
		var first *Page[T]
		if handFirst {
			first = &page
		}
		all, err = fetchRest(ctx, c, state, req, lastURL, last, all, first, onPage)
		return all, state.result(err)
	}
	// Follow next, one at a time, never to a page already read, nor past
	// the last page the page before named (the list may grow while it is
	// read, so each page's own last counts).
	for number := 2; links["next"] != ""; number++ {
		target, err := c.sameOrigin(links["next"])
		if err != nil {
			return all, err
		}
		if named := pageNumber(links["last"]); named > 0 && number > named {
			return all, fmt.Errorf("%w: page %d links to a next page past the last it names (%d)", ErrPagination, number-1, named)
		}
		if err := state.visit(target, number); err != nil {
			return all, err
		}
		header, read, err := fetchPage[T](ctx, c, req, target, number)
		if err != nil {
			return all, err
		}
		links = parseLinks(header.Get("Link"))
		if err := countPage(state, read); err != nil {
			return all, err
		}
		page := read.page
		page.Last = pageNumber(links["last"])
		if keep {
			all = append(all, page.Items...)
		}
		if onPage != nil {
			if err := onPage(page); err != nil {
				return all, err
			}
		}
	}
	return all, state.result(nil)
}

// fetchRest fetches pages 2..last with at most c.parallel requests in
// flight, and delivers them in order. The pages outstanding are bounded
// by HeldBytes (pageGate): a slow page cannot make the pages after it
// pile up, nor a server of large pages make the list hold eight of them.
// first, when not nil, is page 1, handed over once the workers have
// started (EveryPage).
func fetchRest[T any](ctx context.Context, c *Client, state *listState, req request, lastURL *url.URL, last int, all []T, first *Page[T], onPage PageFunc[T]) ([]T, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		number int
		read   pageRead[T]
		err    error
	}
	workers := min(c.parallel, last-1)
	// A worker hands its page over and goes on to the next while the
	// caller is busy with the pages before (a command encoding them): the
	// pages it holds are bounded by the gate, not by the caller's pace.
	results := make(chan result, workers)
	pages := make(chan int)
	gate := newPageGate(state.limits.heldBytes(), state.bytes)
	var wg sync.WaitGroup
	deliver := func(r result) bool {
		select {
		case results <- r:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range pages {
				target := pageURL(lastURL, n)
				var body replyView
				if _, err := c.do(ctx, req, target, &body); err != nil {
					if !deliver(result{number: n, err: err}) {
						return
					}
					continue
				}
				// The page is read beside the worker's next request, not
				// before it: its reply's latency hides the reading.
				wg.Add(1)
				go func() {
					defer wg.Done()
					read, err := readPage[T](req, target, body, n)
					deliver(result{number: n, read: read, err: err})
				}()
			}
		}()
	}
	go func() {
		defer close(pages)
		for n := 2; n <= last; n++ {
			if gate.ask(ctx) != nil {
				return
			}
			select {
			case pages <- n:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	if first != nil {
		if err := onPage(*first); err != nil {
			return all, err // cancel() stops the workers
		}
	}
	// Deliver in order: hold pages that arrive early until their turn.
	// Each worker reads its own page; pages are counted in turn, so the
	// bounds count in page order. What waits there counts against the
	// list's bytes at once: a slow page 2 must not let pages 3..last pile
	// up unbounded.
	early := map[int]pageRead[T]{}
	waiting := 0
	next := 2
	for r := range results {
		if r.err != nil {
			return all, r.err // cancel() stops the others
		}
		early[r.number] = r.read
		waiting += r.read.size
		gate.arrived(r.read.size)
		if state.bytes+waiting > state.limits.Bytes {
			return all, fmt.Errorf("%w: more than %s of items", ErrPagination, sizeText(state.limits.Bytes))
		}
		for read, ok := early[next]; ok; read, ok = early[next] {
			delete(early, next)
			waiting -= read.size
			if err := countPage(state, read); err != nil {
				return all, err
			}
			page := read.page
			page.Last = last
			if onPage == nil {
				all = append(all, page.Items...)
			}
			if onPage != nil {
				if err := onPage(page); err != nil {
					return all, err
				}
			}
			gate.handedOver()
			next++
		}
	}
	if next <= last {
		if err := ctx.Err(); err != nil {
			return all, err
		}
		return all, fmt.Errorf("listing stopped at page %d of %d", next-1, last)
	}
	return all, nil
}

// pageURL is the URL of page n, made from the last page's URL.
func pageURL(last *url.URL, n int) *url.URL {
	u := *last
	q := u.Query()
	q.Set("page", strconv.Itoa(n))
	u.RawQuery = q.Encode()
	return &u
}

// sameOrigin resolves a Link URL and refuses one on another host: the
// client's token is only ever sent to the configured endpoint.
func (c *Client) sameOrigin(link string) (*url.URL, error) {
	u, err := c.base.Parse(link)
	if err != nil {
		return nil, fmt.Errorf("the API sent a Link it could not read: %w", err)
	}
	if u.Scheme != c.base.Scheme || u.Host != c.base.Host {
		return nil, fmt.Errorf("the API's Link points at another host (%s); not following it", u.Host)
	}
	return u, nil
}

// parseLinks reads an RFC 8288 Link header into rel → URL.
func parseLinks(header string) map[string]string {
	links := map[string]string{}
	for _, part := range strings.Split(header, ",") {
		part = strings.TrimSpace(part)
		start, end := strings.IndexByte(part, '<'), strings.IndexByte(part, '>')
		if start != 0 || end < 0 {
			continue
		}
		target := part[1:end]
		for _, param := range strings.Split(part[end+1:], ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(param), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
				continue
			}
			for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(v), `"`)) {
				links[strings.ToLower(rel)] = target
			}
		}
	}
	return links
}

// pageNumber reads the page parameter of a Link URL, or 0.
func pageNumber(link string) int {
	if link == "" {
		return 0
	}
	u, err := url.Parse(link)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(u.Query().Get("page"))
	return n
}
