/* main.c: the sipcloak program; everything happens in the CLI (cli.c). */
#include <stdio.h>

#include "gw/gw.h"

int main(int argc, char **argv)
{
	return gw_cli_main(argc, argv, stdout, stderr);
}
