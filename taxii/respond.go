package taxii

import (
	"encoding/json"
	"fmt"

	"github.com/labstack/echo/v4"
)

// writeResource sends v as a TAXII JSON body with the TAXII media type.
// Every non-paged response goes through it.
func writeResource(c echo.Context, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	return c.Blob(status, MediaType, body)
}
