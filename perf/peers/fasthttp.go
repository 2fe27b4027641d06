package main

import "github.com/valyala/fasthttp"

// newFastHTTPServer serves /health and the hand-written /mcp echo over
// fasthttp, which speaks HTTP/1.1 only.
func newFastHTTPServer() *fasthttp.Server {
	return &fasthttp.Server{
		Name:        "peer-fasthttp",
		Concurrency: 64 << 10,
		Handler: func(ctx *fasthttp.RequestCtx) {
			switch string(ctx.Path()) {
			case "/health":
				ctx.SetContentType("text/plain")
				ctx.SetBody(healthBody)
			case "/mcp":
				if !ctx.IsPost() {
					ctx.SetStatusCode(fasthttp.StatusMethodNotAllowed)
					return
				}
				status, out := answerMCP(ctx.PostBody())
				ctx.SetStatusCode(status)
				if out != nil {
					ctx.SetContentType("application/json")
					ctx.SetBody(out)
				}
			default:
				ctx.SetStatusCode(fasthttp.StatusNotFound)
			}
		},
	}
}
