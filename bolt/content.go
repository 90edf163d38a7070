package bolt

import (
	"context"
	"encoding/json"

	doorstep "github.com/doorstep-project/doorstep"
	bbolt "go.etcd.io/bbolt"
)

// PublishContent stores a new content version, makes it its language's latest
// and adds it to the broadcast feed, which every device reads (devices paired
// later included). PublishedAt is set when zero. EINVALID without a language
// or version, ECONFLICT when the language already has the version.
func (db *DB) PublishContent(ctx context.Context, c *doorstep.ContentVersion) error {
	if c == nil || c.Language == "" || c.Version == "" {
		return doorstep.Errorf(doorstep.EINVALID, "content needs a language and a version")
	}
	rec := *c
	if rec.PublishedAt.IsZero() {
		rec.PublishedAt = db.opts.Now().UTC()
	}
	raw, err := json.Marshal(&rec)
	if err != nil {
		return err
	}
	err = db.write(ctx, "publish content", func(tx *bbolt.Tx) error {
		content := tx.Bucket(bucketContent)
		k := contentKey(rec.Language, rec.Version)
		if content.Get(k) != nil {
			return doorstep.Errorf(doorstep.ECONFLICT, "content %s version %s is already published", rec.Language, rec.Version)
		}
		if err := content.Put(k, raw); err != nil {
			return err
		}
		if err := tx.Bucket(bucketContentLatest).Put([]byte(rec.Language), k); err != nil {
			return err
		}
		_, err := appendChange(tx, doorstep.ChangeContent, raw, 0, true)
		return err
	})
	if err == nil {
		*c = rec
	}
	return err
}

// LatestContent returns the version of every language published last, by
// language.
func (db *DB) LatestContent(ctx context.Context) ([]*doorstep.ContentVersion, error) {
	var out []*doorstep.ContentVersion
	err := db.view(ctx, "latest content", func(tx *bbolt.Tx) error {
		out = nil
		content := tx.Bucket(bucketContent)
		return tx.Bucket(bucketContentLatest).ForEach(func(_, k []byte) error {
			c := new(doorstep.ContentVersion)
			if ok, err := get(content, k, c); err != nil || !ok {
				if err == nil {
					err = doorstep.Errorf(doorstep.EINTERNAL, "latest content names a missing version")
				}
				return err
			}
			out = append(out, c)
			return nil
		})
	})
	return out, err
}
