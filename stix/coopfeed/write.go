package coopfeed

func (g *generator) write(s string) {
	if g.err != nil {
		return
	}
	if _, err := g.bw.WriteString(s); err != nil {
		g.err = err
	}
}

func (g *generator) emit(v any) {
	if g.err != nil {
		return
	}
	g.buf.Reset()
	if err := g.enc.Encode(v); err != nil {
		g.err = err
		return
	}
	b := g.buf.Bytes()
	b = b[:len(b)-1] // Encode appends '\n'
	if g.count > 0 {
		g.write(",\n")
	}
	if g.err == nil {
		if _, err := g.bw.Write(b); err != nil {
			g.err = err
		}
	}
	g.count++
}
