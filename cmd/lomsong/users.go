package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/server"
)

const usersSynopsis = `users add|ls|revoke --dataset DIR [flags] [NAME]

Manages the users of lomsong serve for the dataset in DIR (state in
DIR/serve/state.db):

  users add --dataset DIR --role ministry|carrier|province [--carrier ID] [--province CODE] NAME
      registers NAME and prints its new bearer token, once, as the last line of
      standard output; only the token's SHA-256 is kept, so a lost token is
      replaced by revoking the user and adding it again
  users ls --dataset DIR
      lists the users, their role, scope and whether they are revoked
  users revoke --dataset DIR NAME
      revokes NAME's token; a running service refuses it from its next request

Roles: ministry sees and does everything; carrier (--carrier, an operator
lomsong knows by name or a spelling of one: viettel, VNPT, mobifone, ...)
submits and sees its own carrier's data; province (--province, a code or name
of the 34 provinces of 2025) reads its own province.`

const usersExample = `  lomsong users add --dataset lomsong-demo/dataset --role ministry cuc-vt-analyst
  lomsong users add --dataset ./ds --role carrier --carrier viettel viettel-upload
  lomsong users add --dataset ./ds --role province --province "lai chau" so-tt-laichau
  lomsong users ls --dataset ./ds
  lomsong users revoke --dataset ./ds viettel-upload`

func runUsers(ctx context.Context, args []string, e *env) error {
	fs := newFlags("users", usersSynopsis, usersExample, e)
	dir := fs.String("dataset", "", "dataset `directory` the service serves")
	role := fs.String("role", "", "with add: the user's `role`: ministry, carrier or province")
	carrier := fs.String("carrier", "", "with add --role carrier: the `carrier` (e.g. viettel, vinaphone, mobifone)")
	province := fs.String("province", "", "with add --role province: the `province` (code or name, 2025)")
	pos, err := parseFlags(fs, args, e)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		fs.Usage()
		return usageError{"users: want add, ls or revoke"}
	}
	if *dir == "" {
		fs.Usage()
		return usageError{"users: --dataset DIR is required"}
	}
	verb, rest := pos[0], pos[1:]
	if verb != "add" && (*role != "" || *carrier != "" || *province != "") {
		return usageError{"users: --role, --carrier and --province go with add"}
	}
	switch verb {
	case "add":
		if len(rest) != 1 {
			return usageError{"users add: want one user NAME"}
		}
		if *role == string(server.RoleCarrier) && *carrier != "" {
			// A carrier user sees only the data submitted under its
			// carrier: a misspelt one (viettell) would see none, and every
			// row it submits would be rejected as another carrier's.
			if c, err := engine.ParseCarrier(*carrier); err == nil && !c.Known() {
				return usageError{fmt.Sprintf("users add: carrier %q (%s) is not an operator lomsong knows by name: give one of %s (or a spelling of one, e.g. VNPT for vinaphone)",
					*carrier, c, knownCarriers())}
			}
		}
		u, token, err := server.AddUser(ctx, *dir, server.NewUser{Name: rest[0], Role: server.Role(*role), Carrier: *carrier, Province: *province}, time.Now())
		if errors.Is(err, server.ErrInvalidUser) {
			return usageError{"users add: " + err.Error()}
		}
		if err != nil {
			return err
		}
		scope := ""
		switch {
		case u.Carrier != "":
			scope = " for carrier " + string(u.Carrier)
		case u.Province != "":
			scope = " for province " + u.Province
		}
		fmt.Fprintf(e.stdout, "added %s (%s%s); its token, shown only now (send it as Authorization: Bearer TOKEN):\n", u.Name, u.Role, scope)
		fmt.Fprintln(e.stdout, token)
		return nil
	case "ls":
		if len(rest) != 0 {
			return usageError{"users ls: takes no arguments"}
		}
		users, err := server.ListUsers(ctx, *dir)
		if err != nil {
			return err
		}
		if len(users) == 0 {
			fmt.Fprintf(e.stdout, "no users in %s (add one with lomsong users add --dataset %s --role ROLE NAME)\n", *dir, shellQuote(*dir))
			return nil
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "name\trole\tscope\tcreated\trevoked")
		for _, u := range users {
			scope, revoked := string(u.Carrier)+u.Province, ""
			if scope == "" {
				scope = "all"
			}
			if u.Revoked != nil {
				revoked = u.Revoked.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Name, u.Role, scope, u.Created.Format(time.RFC3339), revoked)
		}
		return tw.Flush()
	case "revoke":
		if len(rest) != 1 {
			return usageError{"users revoke: want one user NAME"}
		}
		err := server.RevokeUser(ctx, *dir, rest[0], time.Now())
		if errors.Is(err, server.ErrNoSuchUser) {
			return usageError{"users revoke: " + err.Error()}
		}
		if errors.Is(err, server.ErrRevokedAlready) {
			fmt.Fprintln(e.stdout, err)
			return nil
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "revoked %s\n", rest[0])
		return nil
	}
	return usageError{fmt.Sprintf("users: unknown action %q: want add, ls or revoke", verb)}
}

// knownCarriers lists the operators lomsong knows by name
// (engine.Carrier.Known), those a carrier user may be added for.
func knownCarriers() string {
	cs := []engine.Carrier{engine.Viettel, engine.VinaPhone, engine.MobiFone, engine.Vietnamobile, engine.Gmobile, engine.ITelecom}
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}
