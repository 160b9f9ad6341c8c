// Package spec loads OpenAPI documents (Swagger 2.0, OpenAPI 3.0 and 3.1, JSON
// or YAML) into a small normalized model of operations, parameters, security
// schemes and every host the document mentions, so checks never depend on
// kin-openapi types or on which OpenAPI version a target publishes.
package spec
