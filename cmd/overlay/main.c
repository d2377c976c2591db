/*
 * kubectl crucible overlay: the guide's step 1 ("update ECR registry URLs in
 * kustomization.yaml") without hand-editing YAML. Edits keep the user's
 * file byte for byte outside the edited values (common/yedit.c).
 *
 *   list                    the overlays with registry, project, tags, replicas
 *   set-registry NAME [R]   every platform image of the overlay to R/PROJECT/name
 *   build NAME              kubectl kustomize of the overlay, on stdout
 *   validate NAME           findings that make it unfit to deploy, file:line
 */
#include <string.h>

#include "crucible/exit.h"
#include "crucible/log.h"
#include "crucible/opts.h"
#include "overlay.h"

static struct poptOption options[] = {
	{ "dir", '\0', POPT_ARG_STRING, &overlay_opts.dir, 0, "overlays root (default: the project's overlays/)", "DIR" },
	{ "project", '\0', POPT_ARG_STRING, &overlay_opts.project, 0,
	  "set-registry: the project path (default $PROJECT_NAME, else crucible-platform)", "P" },
	{ "output", 'o', POPT_ARG_STRING, &overlay_opts.output, 0, "list, validate: text (default) or json", "FORMAT" },
	{ "dry-run", '\0', POPT_ARG_NONE, &overlay_opts.dry_run, 0, "print the new kustomization.yaml instead of writing it", NULL },
	CR_GLOBAL_OPTIONS,
	POPT_TABLEEND
};

static const char more[] =
	"Commands:\n"
	"  list                   the overlays: registry, project, tag per image,\n"
	"                         replicas (-o json for an array)\n"
	"  set-registry NAME [R]  point every image of the overlay's images: list at\n"
	"                         R/PROJECT/<name>, keeping names and tags; R defaults\n"
	"                         to $ECR_REGISTRY\n"
	"  build NAME             the overlay rendered by kubectl kustomize, on stdout\n"
	"  validate NAME          is it fit to deploy: one finding a line, file:line:\n"
	"                         message (placeholder registry *.invalid, 123456789012\n"
	"                         or changeme; :latest or untagged images; an image\n"
	"                         outside the overlay's registry; a kustomization that\n"
	"                         does not render); -o json for an array\n"
	"\n"
	"Example:\n"
	"  ECR_REGISTRY=123456789012.dkr.ecr.us-west-2.amazonaws.com kubectl crucible overlay set-registry production\n"
	"  kubectl crucible overlay build production | kubectl crucible deploy -f -\n"
	"\n"
	"Exit status: 0 ok; 1 the file could not be written (the old one is kept),\n"
	"or validate found something;\n"
	"2 usage; 3 bad input (file:line:column, or the bad argument; an overlay that\n"
	"does not render); 4 kubectl could not be run.\n";

int main(int argc, const char **argv)
{
	static struct cr_tool tool = {
		.step = "overlay",
		.args_help = "list|set-registry|build|validate [flags]",
		.summary = "Point an overlay's images at your registry without hand-editing YAML",
		.more_help = more,
		.table = options,
	};
	int nargs;
	const char **args = cr_opts_parse(&tool, argc, argv, &nargs);
	if (nargs < 1)
		cr_usage_error("missing command: list, set-registry, build or validate");
	if (!strcmp(args[0], "set-registry"))
		return overlay_set_registry(nargs - 1, args + 1);
	if (!strcmp(args[0], "build"))
		return overlay_build(nargs - 1, args + 1);
	if (!strcmp(args[0], "validate"))
		return overlay_validate(nargs - 1, args + 1);
	if (!strcmp(args[0], "list"))
		return overlay_list(nargs - 1, args + 1);
	cr_usage_error("unknown command '%s' (written so far: list, set-registry, build, validate)", args[0]);
}
