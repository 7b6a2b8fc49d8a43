-- TestEditorSnippets' driver for Neovim: run as
--   nvim --headless FILE -c "luafile driver.lua"
-- with the README's set-up as the user's init.lua. It waits until each
-- message in $COROFY_TEST_WANT (one a line) is in a diagnostic of FILE,
-- or a minute (or until no corofy process is left), then asks for the hover at $COROFY_TEST_HOVER ("line:character",
-- from 0, UTF-16) and writes to $COROFY_TEST_OUT, one a line:
--   diag <TAB> line from 1 <TAB> the line's text from the diagnostic's start <TAB> message
--   hover <TAB> the hover's text
-- and quits.
local out = assert(io.open(os.getenv("COROFY_TEST_OUT"), "w"))
local function put(...)
  local fields = {}
  for i, v in ipairs({ ... }) do
    fields[i] = (tostring(v):gsub("[\t\n]", " "))
  end
  out:write(table.concat(fields, "\t"), "\n")
end

local want = vim.split(os.getenv("COROFY_TEST_WANT"), "\n", { plain = true })
local buf = vim.api.nvim_get_current_buf()
local function all_there()
  for _, w in ipairs(want) do
    local found = false
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.message:find(w, 1, true) then
        found = true
      end
    end
    if not found then
      return false
    end
  end
  return true
end
-- Whether a corofy process, the server, runs under this Neovim.
local function server()
  for _, pid in ipairs(vim.api.nvim_get_proc_children(vim.fn.getpid())) do
    local p = vim.api.nvim_get_proc(pid)
    if p and p.name == "corofy" then
      return true
    end
  end
  return false
end
-- No corofy process, or none left: nothing will come.
vim.wait(60000, function() return all_there() or not server() end, 50)

put("filetype", vim.bo[buf].filetype)
for _, d in ipairs(vim.diagnostic.get(buf)) do
  local text = vim.api.nvim_buf_get_lines(buf, d.lnum, d.lnum + 1, false)[1] or ""
  put("diag", d.lnum + 1, text:sub(d.col + 1), d.message)
end

if not server() then
  put("noserver", "no corofy process is running")
  out:close()
  vim.cmd("qa!")
end

local line, character = os.getenv("COROFY_TEST_HOVER"):match("^(%d+):(%d+)$")
local results = vim.lsp.buf_request_sync(buf, "textDocument/hover", {
  textDocument = { uri = vim.uri_from_bufnr(buf) },
  position = { line = tonumber(line), character = tonumber(character) },
}, 30000)
for _, r in pairs(results or {}) do
  local c = r.result and r.result.contents
  if type(c) == "table" then
    c = c.value or vim.inspect(c)
  end
  if c then
    put("hover", c)
  end
  if r.err then
    put("hovererror", vim.inspect(r.err))
  end
end
out:close()
vim.cmd("qa!")
