/*
 * kubectl crucible overlay: the guide's steps 1 and 4 (registry, project,
 * tags, environments) without hand-editing YAML. Edits keep the user's
 * file byte for byte outside the edited values (common/yedit.c).
 *
 *   list                        the overlays with registry, project, tags, replicas
 *   create NAME                 a new overlay on the base or another overlay
 *   set-image NAME IMAGE=...    kustomize edit set image
 *   set-registry NAME [R]       every platform image of the overlay to R/PROJECT/name
 *   set-tag NAME TAG [IMAGE]    one tag for the platform images, or the named ones
 *   set-replicas NAME svc=N     kustomize edit set replicas
 *   build NAME                  kubectl kustomize of the overlay, on stdout
 *   validate NAME               findings that make it unfit to deploy, file:line
 *   diff NAME                   what deploying it would change on the cluster
 */
#include <string.h>

#include "crucible/exit.h"
#include "crucible/log.h"
#include "crucible/opts.h"
#include "overlay.h"

static struct poptOption options[] = {
	{ "dir", '\0', POPT_ARG_STRING, &overlay_opts.dir, 0, "overlays root (default: the project's overlays/)", "DIR" },
	{ "project", '\0', POPT_ARG_STRING, &overlay_opts.project, 0,
	  "create, set-registry: the project path (default $PROJECT_NAME, else crucible-platform)", "P" },
	{ "from", '\0', POPT_ARG_STRING, &overlay_opts.from, 0,
	  "create: the overlay to build on, or base (default production)", "NAME" },
	{ "registry", '\0', POPT_ARG_STRING, &overlay_opts.registry, 0,
	  "create: the images' registry (default $ECR_REGISTRY, else none)", "R" },
	{ "tag", '\0', POPT_ARG_STRING, &overlay_opts.tag, 0,
	  "create: the images' tag (default: the source's)", "T" },
	{ "replicas", '\0', POPT_ARG_ARGV, &overlay_opts.replicas, 0,
	  "create: a workload's replicas (repeatable)", "SVC=N" },
	{ "force", '\0', POPT_ARG_NONE, &overlay_opts.force, 0,
	  "create: write over an existing overlay's kustomization.yaml", NULL },
	{ "output", 'o', POPT_ARG_STRING, &overlay_opts.output, 0, "list, validate: text (default) or json", "FORMAT" },
	{ "dry-run", '\0', POPT_ARG_NONE, &overlay_opts.dry_run, 0, "print the new kustomization.yaml instead of writing it", NULL },
	CR_GLOBAL_OPTIONS,
	POPT_TABLEEND
};

static const char more[] =
	"Commands:\n"
	"  list                   the overlays: registry, project, tag per image,\n"
	"                         replicas (-o json for an array)\n"
	"  create NAME            a new overlay on --from (an overlay, or base):\n"
	"                         resources, an images: entry per platform image at\n"
	"                         REGISTRY/PROJECT/<name> [--tag], --replicas SVC=N,\n"
	"                         -n NS; refuses an existing NAME unless --force\n"
	"  set-image NAME IMAGE=NEWNAME[:TAG][@sha256:DIGEST] | IMAGE=:TAG | IMAGE:TAG\n"
	"                         | IMAGE@sha256:DIGEST ...\n"
	"                         kustomize edit set image: the images: entry for\n"
	"                         IMAGE (added when the manifests have IMAGE); a tag\n"
	"                         replaces a digest and the other way round\n"
	"  set-registry NAME [R]  point every image of the overlay's images: list at\n"
	"                         R/PROJECT/<name>, keeping names and tags; R defaults\n"
	"                         to $ECR_REGISTRY\n"
	"  set-tag NAME TAG [IMAGE...]\n"
	"                         TAG for every image of the images: list (or the\n"
	"                         platform images it renders), or the named ones\n"
	"  set-replicas NAME SVC=N ...\n"
	"                         kustomize edit set replicas: SVC a Deployment,\n"
	"                         StatefulSet, ReplicaSet or ReplicationController\n"
	"                         of the overlay's manifests\n"
	"  build NAME             the overlay rendered by kubectl kustomize, on stdout\n"
	"  validate NAME          is it fit to deploy: one finding a line, file:line:\n"
	"                         message (placeholder registry *.invalid, 123456789012\n"
	"                         or changeme; :latest or untagged images; an image\n"
	"                         outside the overlay's registry; replicas on a\n"
	"                         workload a HorizontalPodAutoscaler owns; a resources\n"
	"                         patch naming a container the workload does not have;\n"
	"                         a kustomization that does not render); -o json for\n"
	"                         an array\n"
	"  diff NAME              what deploying the overlay would change on the\n"
	"                         cluster: the objects as deploy orders and labels\n"
	"                         them, through kubectl diff --server-side with\n"
	"                         deploy's field manager (Secret values masked);\n"
	"                         -n, --context, --kubeconfig as for deploy\n"
	"\n"
	"Example:\n"
	"  ECR_REGISTRY=123456789012.dkr.ecr.us-west-2.amazonaws.com kubectl crucible overlay set-registry production\n"
	"  kubectl crucible overlay build production | kubectl crucible deploy -f -\n"
	"\n"
	"Every editing command takes --dry-run: the new kustomization.yaml on stdout,\n"
	"nothing written. Edits keep comments, key order and unrelated lines.\n"
	"\n"
	"Exit status: 0 ok (diff: no changes); 1 the file could not be written (the\n"
	"old one is kept), create found NAME already there, validate found\n"
	"something, or diff found changes;\n"
	"2 usage; 3 bad input (file:line:column, or the bad argument: malformed YAML,\n"
	"a field a Kustomization does not have, an invalid image reference, replicas\n"
	"that are not a non-negative integer, a NAME with '/' or '..', an image or\n"
	"workload the overlay's manifests do not have, an overlay that does not\n"
	"render); 4 kubectl could not be run, or kubectl diff failed (no cluster,\n"
	"an API error; or the diff could not be written); 5 a kubectl call did not\n"
	"end in time (twice --request-timeout plus 3 s, else 5 min).\n";

static const struct {
	const char *name;
	int (*run)(int argc, const char **argv); /* argv without the command name */
} commands[] = {
	{ "list", overlay_list },
	{ "create", overlay_create },
	{ "set-image", overlay_set_image },
	{ "set-registry", overlay_set_registry },
	{ "set-tag", overlay_set_tag },
	{ "set-replicas", overlay_set_replicas },
	{ "build", overlay_build },
	{ "validate", overlay_validate },
	{ "diff", overlay_diff },
};
static const char command_names[] = "list, create, set-image, set-registry, set-tag, set-replicas, build, validate, diff";

int main(int argc, const char **argv)
{
	static struct cr_tool tool = {
		.step = "overlay",
		.args_help = "list|create|set-image|set-registry|set-tag|set-replicas|build|validate|diff [flags]",
		.summary = "Create, edit, check and diff the platform's overlays without hand-editing YAML",
		.more_help = more,
		.table = options,
	};
	int nargs;
	const char **args = cr_opts_parse(&tool, argc, argv, &nargs);
	if (nargs < 1)
		cr_usage_error("missing command: %s", command_names);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(args[0], commands[i].name))
			return commands[i].run(nargs - 1, args + 1);
	cr_usage_error("unknown command '%s' (%s)", args[0], command_names);
}
