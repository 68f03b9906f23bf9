package platform

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// The API reference at /api/v1/docs is api.Reference: one page that holds the contract and
// the renderer (Redoc) and fetches nothing. Its Content-Security-Policy allows exactly the
// page's own inline scripts, by hash, and nothing from any other origin, so a script injected
// into the page (or a renderer that starts calling home) is refused by the browser.

// inlineScript finds the page's inline <script> elements (it has no others).
var inlineScript = regexp.MustCompile(`(?s)<script(?:\s+type="module")?>(.*?)</script>`)

// docsCSP is computed once from the page: a hash per inline script.
var docsCSP = func() string {
	var hashes []string
	for _, m := range inlineScript.FindAllSubmatch(api.Reference, -1) {
		sum := sha256.Sum256(m[1])
		hashes = append(hashes, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	return strings.Join([]string{
		"default-src 'none'",
		"script-src " + strings.Join(hashes, " "),
		// Redoc styles with styled-components, which writes <style> elements at run time;
		// inline styles cannot run code.
		"style-src 'unsafe-inline'",
		"img-src data:",
		"font-src data:",
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; ")
}()

func serveDocs(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", docsCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
	_, _ = w.Write(api.Reference)
}
