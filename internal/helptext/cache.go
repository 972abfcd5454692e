package helptext

import (
	"sync"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// Cache keeps the help texts of the object commands, rendered once per
// kind in a process: a batch builds its line's command anew for every
// line, and rendering the help of a kind's types costs more than running
// the line. The zero value is ready; a nil Cache renders every time.
type Cache struct {
	mu sync.Mutex
	m  map[cacheKey]string
}

type cacheKey struct {
	kind *config.Kind
	text string
}

// Text returns render(k), rendered the first time text is asked for k.
func (c *Cache) Text(k *config.Kind, text string, render func(*config.Kind) string) string {
	if c == nil {
		return render(k)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	key := cacheKey{k, text}
	s, ok := c.m[key]
	if !ok {
		s = render(k)
		if c.m == nil {
			c.m = map[cacheKey]string{}
		}
		c.m[key] = s
	}
	return s
}
