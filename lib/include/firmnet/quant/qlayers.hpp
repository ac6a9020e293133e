// quant/qlayers.hpp: every int8 layer and fusion, so QNetworkFor<Net> (quant/qnetwork.hpp) knows
// the twin of every float layer and fuses what it can, wherever it is named.
#pragma once

#include "firmnet/quant/qconv.hpp"
#include "firmnet/quant/qconvpool.hpp"
#include "firmnet/quant/qfc.hpp"
#include "firmnet/quant/qflatten.hpp"
#include "firmnet/quant/qgap.hpp"
#include "firmnet/quant/qmaxpool.hpp"
#include "firmnet/quant/qrelu.hpp"
