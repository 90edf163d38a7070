package main

import (
	"context"
	"errors"
	"io"
)

func runDevice(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errors.New("device: not implemented yet")
}
