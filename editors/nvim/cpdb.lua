-- nvim-dap configuration for cpdb: put this file in your config (for
-- example ~/.config/nvim/lua/cpdb.lua) and require('cpdb') after
-- nvim-dap is loaded.  cpdb must be on PATH (or set command below to
-- its full path).
local dap = require('dap')

-- cpdb --dap speaks the Debug Adapter Protocol on its stdin and stdout.
dap.adapters.cpdb = {
  type = 'executable',
  command = 'cpdb',
  args = { '--dap' },
}

local function ask(prompt)
  return function()
    return vim.fn.input(prompt)
  end
end

-- A configuration of type cpdb: request, name, then its attributes.
local function cpdb(request, name, attributes)
  local c = { type = 'cpdb', request = request, name = name }
  for k, v in pairs(attributes) do
    c[k] = v
  end
  return c
end

dap.configurations.python = dap.configurations.python or {}
for _, c in ipairs({
  cpdb('launch', 'cpdb: current file', {
    program = '${file}', cwd = '${workspaceFolder}', args = {},
    stopOnEntry = false, justMyCode = true,
  }),
  cpdb('launch', 'cpdb: current file with arguments', {
    program = '${file}', cwd = '${workspaceFolder}',
    args = function()
      return vim.split(vim.fn.input('Arguments: '), ' +', { trimempty = true })
    end,
  }),
  cpdb('launch', 'cpdb: module (python -m)', {
    module = ask('Module: '), cwd = '${workspaceFolder}',
  }),
  cpdb('attach', 'cpdb: attach to a process', {
    pid = require('dap.utils').pick_process,
  }),
  cpdb('attach', 'cpdb: attach to cpdb --listen', {
    host = '127.0.0.1',
    port = function()
      return tonumber(vim.fn.input('Port: '))
    end,
    token = ask('Token: '),
  }),
}) do
  table.insert(dap.configurations.python, c)
end
