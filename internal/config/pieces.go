package config

import (
	"bytes"
	"crypto/sha256"
	"io"
)

// pieces is a file as the byte slices that make it up, in order. A change
// to one object of a large store is mostly runs of the file it replaces;
// writing those straight from the loaded file spares copying a megabyte
// into a new buffer, and the memory that takes.
type pieces [][]byte

// join returns the file as one slice.
func (p pieces) join() []byte {
	if len(p) == 1 {
		return p[0]
	}
	return bytes.Join(p, nil)
}

// equal reports whether the file is b.
func (p pieces) equal(b []byte) bool {
	for _, piece := range p {
		if !bytes.HasPrefix(b, piece) {
			return false
		}
		b = b[len(piece):]
	}
	return len(b) == 0
}

// sum returns the file's SHA-256.
func (p pieces) sum() [sha256.Size]byte {
	h := sha256.New()
	p.writeTo(h)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

func (p pieces) writeTo(w io.Writer) error {
	for _, piece := range p {
		if _, err := w.Write(piece); err != nil {
			return err
		}
	}
	return nil
}

// fileWriter builds a store file as pieces: text it encodes goes into its
// buffer, runs of the raw file it keeps are only referred to.
type fileWriter struct {
	bytes.Buffer
	raw  []byte
	segs []segment
	mark int // the end of the buffer's text already in segs
}

// segment is a run of the buffer, or of the raw file.
type segment struct {
	raw        bool
	start, end int
}

// keep adds raw[start:end] to the file.
func (w *fileWriter) keep(start, end int) {
	if start == end {
		return
	}
	w.cut()
	w.segs = append(w.segs, segment{true, start, end})
}

// cut closes the text encoded since the last segment.
func (w *fileWriter) cut() {
	if w.Len() > w.mark {
		w.segs = append(w.segs, segment{false, w.mark, w.Len()})
		w.mark = w.Len()
	}
}

// pieces returns the file. The buffer is not written to again.
func (w *fileWriter) pieces() pieces {
	w.cut()
	text := w.Bytes()
	out := make(pieces, 0, len(w.segs))
	for _, s := range w.segs {
		if s.raw {
			out = append(out, w.raw[s.start:s.end])
		} else {
			out = append(out, text[s.start:s.end])
		}
	}
	return out
}
