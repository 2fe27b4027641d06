package engine

// links are one connection's place on one list.
type links struct{ prev, next *Conn }

// connList is an intrusive doubly linked list of connections. A connection
// sits on several at once — the loop's open connections, its tickers, its
// held-back connections, a timing-wheel slot — through one links field per
// list, so joining and leaving are O(1) and allocate nothing.
type connList struct {
	head *Conn
	of   func(*Conn) *links // the field this list threads through
}

func (l *connList) push(c *Conn) {
	n := l.of(c)
	n.prev, n.next = nil, l.head
	if l.head != nil {
		l.of(l.head).prev = c
	}
	l.head = c
}

func (l *connList) remove(c *Conn) {
	n := l.of(c)
	if n.prev != nil {
		l.of(n.prev).next = n.next
	} else {
		l.head = n.next
	}
	if n.next != nil {
		l.of(n.next).prev = n.prev
	}
	*n = links{}
}

// each calls fn for every connection; fn may remove the one it is given.
func (l *connList) each(fn func(*Conn)) {
	for c := l.head; c != nil; {
		next := l.of(c).next
		fn(c)
		c = next
	}
}

func allLinks(c *Conn) *links   { return &c.allLinks }
func tickLinks(c *Conn) *links  { return &c.tickLinks }
func pauseLinks(c *Conn) *links { return &c.pauseLinks }
func wheelLinks(c *Conn) *links { return &c.wheelLinks }
