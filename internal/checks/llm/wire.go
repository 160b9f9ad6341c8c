package llm

import (
	"fmt"
	"strings"
)

// wireShapes are the reply places of the inference APIs plumb knows: a
// response with a string there is a model's answer, whatever it says.
var wireShapes = []struct {
	name string
	path string // leaf path, "sse." for streamed chunks
}{
	{"chat-completions", "choices.0.message.content"},
	{"chat-completions stream", "sse.choices.0.delta.content"},
	{"completions", "choices.0.text"},
	{"anthropic messages", "content.0.text"},
	{"ollama chat", "message.content"},
	{"tgi generate", "generated_text"},
	{"tgi generate", "0.generated_text"},
	{"llama.cpp completion", "content"},
}

// wireShape reports whether a response is in a known model wire shape,
// and where its reply is.
func wireShape(body []byte, ct string) (name string, p ReplyPath, ok bool) {
	leaves := candidates(body, ct)
	for _, w := range wireShapes {
		for _, l := range leaves {
			if strings.Join(l.path, ".") == w.path {
				if w.path == "content" && !strings.Contains(string(body), `"stop"`) {
					continue // a bare "content" member is only llama.cpp's with its stop flag
				}
				return w.name, pathOf(l), true
			}
		}
	}
	return "", ReplyPath{}, false
}

// joinPhrasings are further ways to ask for two strings joined, for a
// model that answers in a known wire shape but would not follow the first
// one (a system prompt that forbids "reply with only …"). None of them
// carries the joined string, so an echo can never pass.
var joinPhrasings = []func(a, b string) string{
	func(a, b string) string {
		return fmt.Sprintf("Write the two words %q and %q as one word, without a space between them, and nothing else.", a, b)
	},
	func(a, b string) string {
		return fmt.Sprintf("What word do you get if you put %q directly in front of %q? Answer with that word.", a, b)
	},
}
