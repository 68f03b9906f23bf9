-- An http step's secret headers (credentials such as Authorization) are kept out of the
-- workflow's document, which every reader gets: one sealed JSON object per workflow, from step
-- name to headers, sealed with the server's secret key and bound to the workflow's id.

-- +goose Up
ALTER TABLE workflows ADD COLUMN secret_headers_sealed TEXT;

-- +goose Down
ALTER TABLE workflows DROP COLUMN secret_headers_sealed;
