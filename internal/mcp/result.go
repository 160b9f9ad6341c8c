package mcp

import (
	"encoding/json"
	"fmt"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// maxJSONText bounds the copy of the structured result sent as text for
// clients that do not read structuredContent: past it, a scan report
// would flood the assistant's context, and the summary says where it is.
const maxJSONText = 48 << 10

// toolResult is a tool result: a short summary first, then the structured
// output as JSON text when it is small enough. The SDK puts the output
// itself in structuredContent.
func toolResult(summary string, out any) *sdk.CallToolResult {
	res := &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: summary}}}
	b, err := json.Marshal(out)
	switch {
	case err != nil:
	case len(b) <= maxJSONText:
		res.Content = append(res.Content, &sdk.TextContent{Text: string(b)})
	default:
		res.Content = append(res.Content, &sdk.TextContent{Text: fmt.Sprintf(
			"(The full result is %d KiB of JSON: it is in this result's structuredContent, not repeated here.)", len(b)>>10)})
	}
	return res
}
