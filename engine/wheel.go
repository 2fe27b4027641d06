package engine

// The timing wheel: slots of one tick each, every connection with an armed
// deadline filed under the slot its deadline falls in. Arming, re-arming
// and disarming are O(1); a tick visits only the connections of the slots it
// passes. A deadline that moves later stays where it is and is re-filed
// lazily when its old slot comes round, so the common case — a keep-alive
// connection re-arming its idle deadline after every request — is a store.

const wheelSlots = 1024

type wheel struct {
	slots [wheelSlots]connList
	tick  int64 // tick length in ns
	at    int64 // the next tick to process, in ticks since the clock's zero
}

func (w *wheel) init() {
	for i := range w.slots {
		w.slots[i].of = wheelLinks
	}
}

func (w *wheel) slotOf(deadline int64) int { return int((deadline / w.tick) % wheelSlots) }

func (w *wheel) add(c *Conn) {
	s := w.slotOf(c.deadline)
	if t := c.deadline / w.tick; t < w.at {
		s = int(w.at % wheelSlots) // already due: file under the next tick
	}
	w.file(c, s)
}

func (w *wheel) file(c *Conn, s int) {
	c.slot = s
	w.slots[s].push(c)
}

func (w *wheel) remove(c *Conn) {
	if c.slot < 0 {
		return
	}
	w.slots[c.slot].remove(c)
	c.slot = -1
}

// advance processes every slot up to now and calls fire for each connection
// whose deadline has passed (after removing it from the wheel).
func (w *wheel) advance(now int64, fire func(*Conn)) {
	last := now / w.tick
	if last-w.at >= wheelSlots {
		w.at = last - wheelSlots + 1
	}
	for ; w.at <= last; w.at++ {
		s := int(w.at % wheelSlots)
		c := w.slots[s].head
		w.slots[s].head = nil // the slot's connections are re-filed or fired
		for c != nil {
			next := c.wheelLinks.next
			c.wheelLinks, c.slot = links{}, -1
			switch {
			case c.deadline <= now:
				fire(c)
			case c.deadline/w.tick <= w.at:
				w.file(c, int((w.at+1)%wheelSlots)) // due later in this tick
			default:
				w.add(c)
			}
			c = next
		}
	}
}
