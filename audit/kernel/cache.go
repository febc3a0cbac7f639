package kernel

import "sync"

// Cache remembers decisions per (scontext, tcontext, class), so a question
// asked for many containers with the same labels reaches the kernel once.
// Errors are cached too: a context the policy rejects stays rejected.
// It is safe for concurrent use.
type Cache struct {
	querier Querier

	mu      sync.Mutex
	answers map[cacheKey]cached
	// queries counts the questions that reached the querier.
	queries int
}

type cacheKey struct {
	scontext, tcontext string
	class              uint16
}

type cached struct {
	decision Decision
	err      error
}

// NewCache wraps a querier.
func NewCache(q Querier) *Cache {
	return &Cache{querier: q, answers: map[cacheKey]cached{}}
}

// Query returns the cached decision, asking the querier on a miss. Two
// concurrent misses for one key may both ask; the answers are identical.
func (c *Cache) Query(scontext, tcontext string, class uint16) (Decision, error) {
	key := cacheKey{scontext, tcontext, class}
	c.mu.Lock()
	hit, ok := c.answers[key]
	c.mu.Unlock()
	if ok {
		return hit.decision, hit.err
	}

	d, err := c.querier.Query(scontext, tcontext, class)
	c.mu.Lock()
	c.answers[key] = cached{decision: d, err: err}
	c.queries++
	c.mu.Unlock()
	return d, err
}

// Queries returns how many questions reached the underlying querier.
func (c *Cache) Queries() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.queries
}
