// nqdb: the NeuroQuantumDB command (admin tasks, shell; later the server).
#include "shell/commands.h"

int main(int argc, char** argv) { return neuroquantum::shell::RunMain(argc, argv); }
