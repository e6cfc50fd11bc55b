package pattern

import "testing"

// benchPatterns are typical indicator patterns: the single-value shape most
// feeds post, and a file hash with a name.
var benchPatterns = map[string]string{
	"ipv4":      `[ipv4-addr:value = '198.18.3.7']`,
	"file-hash": `[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' AND file:name = 'invoice.exe']`,
	"beacon":    `[network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = 'example.com'] REPEATS 5 TIMES WITHIN 1800 SECONDS`,
}

func BenchmarkParse(b *testing.B) {
	for _, name := range []string{"ipv4", "file-hash", "beacon"} {
		s := benchPatterns[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(s)))
			for b.Loop() {
				if _, err := Parse(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCheck(b *testing.B) {
	for _, name := range []string{"ipv4", "file-hash", "beacon"} {
		p, err := Parse(benchPatterns[name])
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if probs := p.Check(); len(probs) != 0 {
					b.Fatal(probs)
				}
			}
		})
	}
}
